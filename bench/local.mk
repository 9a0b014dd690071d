# Benchmarks (not part of make check): "make bench".
EXTRA_DIST += bench/bench-plan.sh bench/bench-kube.sh
.PHONY: bench
bench: mtv-scenario
	srcdir='$(abs_top_srcdir)' $(SHELL) $(top_srcdir)/bench/bench-plan.sh ./mtv-scenario
