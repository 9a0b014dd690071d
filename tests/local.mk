# Shell tests (TAP), the test tools and the fuzz replay.

# The scenario language: loader, schema, validate, list, the command line.
TESTS += tests/t_bad.sh tests/t_schema.sh tests/t_validate.sh tests/t_cli.sh
# The tree: layers, file and function sizes.
TESTS += tests/t_layers.sh
# The test helpers: titled blocks, the leak-check readers of the lab's state.
TESTS += tests/t_lib.sh
# Installed use: make install DESTDIR=..., the staged program from any folder, man.
TESTS += tests/t_install.sh
# Help for mistakes: did-you-mean, unknown tags, enum values; list through a pipe.
TESTS += tests/t_usability.sh
# Profiles and expansion: golden plans, invalid providers files, environment overrides.
TESTS += tests/t_plan.sh tests/t_bad_providers.sh tests/t_env.sh
# MTV releases: plan --mtv VERSION for every release and scenario.
TESTS += tests/t_release.sh

# job: the manifests of a Job with the least privilege (no cluster).
TESTS += tests/t_job.sh
# One validator for every input: --set/--tc through the schema; validate -p.
TESTS += tests/t_inputs.sh
# The JSON report: the report command's formats against golden output, bad input.
TESTS += tests/t_report.sh
# Against the lab: source side, Kubernetes client, cluster steps, faults, end to end.
LAB_TESTS += tests/t_source.sh tests/t_kube_client.sh tests/t_negative.sh \
	tests/t_cluster.sh tests/t_cluster_faults.sh tests/t_e2e.sh tests/t_secrets.sh \
	tests/t_cleanup.sh
# The teardown's bookkeeping and --keep against the lab.
LAB_TESTS += tests/t_keep.sh
# Refused logins stop the run (one Login); TLS of the provider Secret.
LAB_TESTS += tests/t_auth_tls.sh
# MTV releases on the cluster: the preflight finds it, refuses what it lacks.
LAB_TESTS += tests/t_release_lab.sh
# Interrupts: signals and a closed pipe tear down; SIGQUIT abandons.
LAB_TESTS += tests/t_interrupt.sh
# The copy is real: each PVC holds its source disk's current bytes.
LAB_TESTS += tests/t_copy_bytes.sh
# Artifacts of failed and interrupted runs, before the teardown.
LAB_TESTS += tests/t_artifacts.sh
# run -j: the throttling scenario runs alone (the lab's history), verdicts
# as sequential, whole prefixed lines, an interrupt tears every one down.
LAB_TESTS += tests/t_jobs.sh
# Steps as a graph: VMs side by side, --vsphere-parallel, a failure stops.
LAB_TESTS += tests/t_graph.sh
# A migration's requests do not grow with its length (watches, not lists).
LAB_TESTS += tests/t_watch_requests.sh
# The checks of the migrated guest: the snapshot scenarios' data, agent and
# SSH passed; each guest fault of the lab caught by its check.
LAB_TESTS += tests/t_guest_checks.sh
# The guest transports: Guest Operations, port-forward and guest SSH.
LAB_TESTS += tests/t_guest_transport.sh

# The release matrix: the release-dependent scenarios against mtv-lab
# --mtv 2.10, 2.11 and main (t_e2e.sh runs all against the default, 2.12).
LAB_TESTS += tests/t_releases_e2e.sh

# Running as a Job: job's manifests apply; every scenario passes with only
# the generated roles, and each rule is needed (the lab enforces RBAC).
LAB_TESTS += tests/t_rbac.sh
EXTRA_DIST += tests/lib.sh tests/t_layers.sh doc/plan-format.md tests/t_cli.sh tests/t_e2e.sh \
	tests/t_lib.sh \
	tests/t_install.sh tests/t_usability.sh \
	tests/t_secrets.sh tests/t_keep.sh tests/t_bad.sh tests/t_schema.sh tests/t_validate.sh \
	tests/bad tests/pytest-entries tests/t_plan.sh tests/t_bad_providers.sh \
	tests/t_env.sh tests/t_release.sh tests/t_release_lab.sh tests/t_inputs.sh tests/plan tests/t_source.sh tests/source \
	tests/t_source_check.py tests/t_source_shared.py tests/t_kube_client.sh \
	tests/t_negative.sh tests/t_cluster.sh tests/t_cluster_faults.sh tests/neg \
	tests/t_auth_tls.sh tests/t_interrupt.sh tests/t_cleanup.sh tests/t_artifacts.sh \
	tests/t_graph.sh \
	tests/t_report.sh tests/report \
	tests/t_releases_e2e.sh \
	tests/t_rbac.sh tests/t_job.sh tests/t_jobs.sh tests/t_watch_requests.sh \
	tests/t_guest_checks.sh \
	tests/t_guest_transport.sh tests/guest \
	bench/bench-source.sh bench/bench-kube.sh

# One test program for shell tests and benchmarks: mtv-test-tool vs (source
# steps), kube (Kubernetes client), cluster (cluster steps and ESXi client).
check_PROGRAMS += tests/mtv-test-tool
tests_mtv_test_tool_SOURCES = tests/tool/tool.h tests/tool/mtv-test-tool.c \
	tests/tool/vs.c tests/tool/kube.c tests/tool/cluster.c \
	tests/tool/guest.c
tests_mtv_test_tool_LDADD = libmtv.a $(MTV_LIBS)

# Fuzzing: the harness replays its corpus in make check; with
# --enable-fuzzing (clang) it is also built as a libFuzzer binary.
check_PROGRAMS += tests/fuzz/replay-load
TESTS += tests/fuzz/replay-load
tests_fuzz_replay_load_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_load.c
tests_fuzz_replay_load_LDADD = libmtv.a $(MTV_LIBS)
EXTRA_DIST += tests/fuzz/corpus
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-load
tests_fuzz_fuzz_load_SOURCES = tests/fuzz/fuzz_load.c
tests_fuzz_fuzz_load_LDADD = libmtv.a $(MTV_LIBS)
tests_fuzz_fuzz_load_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif

# --enable-valgrind: the unit tests, the fuzz replay and every invalid-input
# case run under valgrind; a memory error or a definite leak fails them
if ENABLE_VALGRIND
VALGRIND_CMD = valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
LOG_COMPILER = $(VALGRIND_CMD)
else
VALGRIND_CMD =
endif

# JUnit: real reports against the Jenkins/Ant schema and its Polarion form.
LAB_TESTS += tests/t_junit.sh
EXTRA_DIST += tests/t_junit.sh tests/junit/jenkins-junit.xsd \
	tests/junit/polarion-junit.xsd
check_PROGRAMS += tests/junit/xsd-check
tests_junit_xsd_check_SOURCES = tests/junit/xsd-check.c
tests_junit_xsd_check_CFLAGS = $(AM_CFLAGS) $(XML_CFLAGS)
tests_junit_xsd_check_LDADD = $(XML_LIBS)
