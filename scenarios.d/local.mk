# The shipped scenarios: installed to $(pkgdatadir)/scenarios.d (the default
# of run, plan, validate and list outside a source tree) and distributed.
scenariosdir = $(pkgdatadir)/scenarios.d
dist_scenarios_DATA = \
	scenarios.d/10-mixed-disks.yaml \
	scenarios.d/2tb-vm-snapshots.yaml \
	scenarios.d/concurrent-xcopy-vddk.yaml \
	scenarios.d/dual-disk-mixed-thin-thick.yaml \
	scenarios.d/fallback-large.yaml \
	scenarios.d/independent-nonpersistent.yaml \
	scenarios.d/independent-persistent.yaml \
	scenarios.d/large-vm.yaml \
	scenarios.d/mixed-datastore.yaml \
	scenarios.d/multi-datastore.yaml \
	scenarios.d/multi-disk-different-datastore-path.yaml \
	scenarios.d/multi-disk-different-path.yaml \
	scenarios.d/multi-disk.yaml \
	scenarios.d/nfs-negative.yaml \
	scenarios.d/nonconforming-name.yaml \
	scenarios.d/populator-throttling.yaml \
	scenarios.d/rdm-physical.yaml \
	scenarios.d/rdm-virtual.yaml \
	scenarios.d/scale.yaml \
	scenarios.d/simultaneous.yaml \
	scenarios.d/thick-eager-snapshots.yaml \
	scenarios.d/thick-eager.yaml \
	scenarios.d/thick-lazy-snapshots.yaml \
	scenarios.d/thick-lazy.yaml \
	scenarios.d/thin-snapshots.yaml \
	scenarios.d/thin.yaml \
	scenarios.d/vm-populator-throttling.yaml \
	scenarios.d/warm-rdm-virtual.yaml \
	scenarios.d/warm.yaml
