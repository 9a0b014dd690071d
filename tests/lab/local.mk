# The offline lab: one Go program built with Debian's golang-go and
# golang-github-vmware-govmomi-dev (GOPATH mode, no downloads).
LAB_GOPATH = /usr/share/gocode
LAB_GO_FILES = $(wildcard $(top_srcdir)/tests/lab/*.go)

if HAVE_GO
noinst_SCRIPTS = mtv-lab
endif

mtv-lab: $(LAB_GO_FILES)
	$(AM_V_GEN)cd $(top_srcdir)/tests/lab && \
	GO111MODULE=off GOPATH='$(LAB_GOPATH)' GOFLAGS= GOCACHE='$(abs_top_builddir)/.gocache' \
	$(GO) build -o '$(abs_top_builddir)/mtv-lab' .

CLEANFILES += mtv-lab
distclean-local: lab-distclean
lab-distclean:
	-chmod -R u+w $(abs_top_builddir)/.gocache 2>/dev/null; rm -rf $(abs_top_builddir)/.gocache
.PHONY: lab-distclean

# the whole folder: globs are not expanded in out-of-tree builds
EXTRA_DIST += tests/lab

# The lab's TAP scripts (automake needs them listed one by one).
LAB_TESTS += tests/lab/t_vsphere.sh tests/lab/t_esxi.sh tests/lab/t_vsphere_go.sh \
	tests/lab/t_kube.sh tests/lab/t_kube_go.sh tests/lab/t_forklift.sh \
	tests/lab/t_forklift_go.sh tests/lab/t_releases.sh \
	tests/lab/t_forklift_release.sh tests/lab/t_guest_go.sh \
	tests/lab/t_kubevirt.sh tests/lab/t_kubevirt_go.sh

# Debian's kubectl (package kubernetes-client, 1.20), unpacked under the
# build folder without installing it, so that the lab's kubectl tests
# (t_kube.sh, t_forklift.sh: see lab_kubectls in tests/lab/lab.sh) also run
# with the oldest client a user may have next to a newer kubectl on PATH.
# Needs apt's access to the Debian archive.
kubectl-debian:
	$(AM_V_GEN)rm -rf kubectl-debian.tmp kubectl-debian && mkdir kubectl-debian.tmp && \
	(cd kubectl-debian.tmp && apt-get download kubernetes-client) && \
	dpkg-deb -x kubectl-debian.tmp/kubernetes-client_*.deb kubectl-debian && \
	rm -rf kubectl-debian.tmp && kubectl-debian/usr/bin/kubectl version --client
.PHONY: kubectl-debian
distclean-local: kubectl-debian-distclean
kubectl-debian-distclean:
	rm -rf kubectl-debian kubectl-debian.tmp
.PHONY: kubectl-debian-distclean
