# Benchmarks (not part of make check): "make bench".
EXTRA_DIST += bench/lib.sh bench/bench-plan.sh bench/bench-kube.sh bench/bench-run.sh bench/bench-source.sh \
	bench/bench-run-jobs.sh bench/bench-run-graph.sh bench/bench-run-requests.sh
noinst_PROGRAMS += bench/bench-plan-inproc
bench_bench_plan_inproc_SOURCES = bench/bench_plan.c
bench_bench_plan_inproc_LDADD = libmtv.a $(MTV_LIBS)
.PHONY: bench
bench: mtv-scenario bench/bench-plan-inproc
	srcdir='$(abs_top_srcdir)' $(SHELL) $(top_srcdir)/bench/bench-plan.sh ./mtv-scenario

# whole runs against the lab: requests per scenario, report latency, CPU and memory
.PHONY: bench-run
# then every bench/bench-run-*.sh (parallel runs, source graphs, requests)
bench-run: mtv-scenario mtv-lab
	srcdir='$(abs_top_srcdir)' $(SHELL) $(top_srcdir)/bench/bench-run.sh ./mtv-scenario ./mtv-lab
	for b in $(top_srcdir)/bench/bench-run-*.sh; do \
		[ -f "$$b" ] || continue; \
		srcdir='$(abs_top_srcdir)' $(SHELL) "$$b" ./mtv-scenario ./mtv-lab; \
	done
