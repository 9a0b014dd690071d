package main

// Temporary boot disk bytes until disk_bytes.go: one sparse file per VM;
// a VM without a guest gets one formatted on first use.

import (
	"path/filepath"

	"github.com/vmware/govmomi/simulator"
)

func (v *vsphere) bootDev(vm *simulator.VirtualMachine) (labDev, error) {
	dev, err := openFileDev(filepath.Join(v.l.Dir, "guest-stub", vm.Config.Uuid+".img"), templateDisk)
	if err != nil {
		return nil, err
	}
	if _, err := guestOpen(dev); err != nil {
		host := vm.Name
		if !vm.Config.Template {
			host = labTemplates[0] // as if cloned from the first template
		}
		if _, err := guestFormat(dev, guestIdentity{Hostname: guestHostName(host), InstanceID: vm.Config.Uuid,
			Users: []guestUser{{Name: labGuestUser, Password: labGuestPassword}}}); err != nil {
			dev.Close()
			return nil, err
		}
	}
	return dev, nil
}
