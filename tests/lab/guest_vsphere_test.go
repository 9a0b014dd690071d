package main

import (
	"context"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/guest"
	"github.com/vmware/govmomi/vim25/types"
)

// A clone's guest is the template's; Guest Operations write to the VM's
// current bytes (above its snapshot), not to the base.
func TestGuestVsphere(t *testing.T) {
	e := labEnv(t)
	if e.v.stock {
		t.Skip("lab only")
	}
	ctx := context.Background()
	vm, err := e.clone("guest-go-1", types.VirtualMachineCloneSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if task, err := vm.PowerOff(ctx); err == nil {
			task.Wait(ctx)
		}
		if task, err := vm.Destroy(ctx); err == nil {
			task.Wait(ctx)
		}
	}()
	if _, err := e.snapshot(vm, "before"); err != nil {
		t.Fatal(err)
	}
	task, err := vm.PowerOn(ctx)
	if err != nil || task.Wait(ctx) != nil {
		t.Fatalf("power on: %v", err)
	}
	auth := &types.NamePasswordAuthentication{Username: labGuestUser, Password: labGuestPassword}
	ops := guest.NewOperationsManager(e.c, vm.Reference())
	pm, err := ops.ProcessManager(ctx)
	if err != nil {
		t.Fatal(err)
	}
	spec := &types.GuestProgramSpec{ProgramPath: "/bin/bash", Arguments: "-c 'mkdir -p /opt/m && echo after-snapshot > /opt/m/f'"}
	if _, err := pm.StartProgram(ctx, auth, spec); !faultIs(err, &types.GuestOperationsUnavailable{}) {
		t.Fatalf("before the tools run: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		m, _ := e.vmProps(vm)
		if m.Guest != nil && m.Guest.ToolsRunningStatus == "guestToolsRunning" {
			if m.Guest.HostName != "xcopy-template-test" || m.Guest.GuestFamily != "linuxGuest" ||
				len(m.Guest.Net) != 1 || m.Guest.Net[0].MacAddress == "" || m.Guest.IpAddress == "" {
				t.Fatalf("guest info: %+v", m.Guest)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("tools never ran")
		}
		time.Sleep(20 * time.Millisecond)
	}
	pid, err := pm.StartProgram(ctx, auth, spec)
	if err != nil {
		t.Fatal(err)
	}
	procs, err := pm.ListProcesses(ctx, auth, []int64{pid})
	if err != nil || len(procs) != 1 || procs[0].EndTime == nil || procs[0].ExitCode != 0 {
		t.Fatalf("processes: %+v %v", procs, err)
	}
	fm, err := ops.FileManager(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		p, err := fm.CreateTemporaryFile(ctx, auth, "mtv-", ".out", "")
		if err != nil || path.Dir(p) != "/tmp" || !strings.HasPrefix(path.Base(p), "mtv-") || !strings.HasSuffix(p, ".out") {
			t.Fatalf("temporary file %q: %v", p, err)
		}
	}
	bad := &types.NamePasswordAuthentication{Username: labGuestUser, Password: "nope"}
	if _, err := pm.StartProgram(ctx, bad, spec); !faultIs(err, &types.InvalidGuestLogin{}) {
		t.Fatalf("bad password: %v", err)
	}
	sim := simVM(vm)
	e.v.mu.Lock()
	defer e.v.mu.Unlock()
	fs, err := e.v.guestOpenVM(sim)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fs.ReadFile("/opt/m/f"); err != nil || string(b) != "after-snapshot\n" {
		t.Fatalf("current bytes: %q %v", b, err)
	}
	key, _ := bootDiskKey(sim)
	base, err := e.v.diskBaseDev(sim, key)
	if err != nil {
		t.Fatal(err)
	}
	bfs, err := guestOpen(base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bfs.Stat("/opt/m/f"); err == nil {
		t.Fatal("the write reached the base disk under the snapshot")
	}
	if guestHostname(bfs) != "xcopy-template-test" || !guestAuth(bfs, labGuestUser, labGuestPassword) {
		t.Fatal("the clone's base is not the template's guest")
	}
}
