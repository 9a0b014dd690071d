#!/bin/bash
# Go unit tests of the KubeVirt model: VMI lifecycle and faults, the
# port-forward WebSocket framing, the guest's SSH server behind it.
. "$(dirname "$0")/gotest.sh"
lab_go_test '^TestKubeVirt' 'kubevirt: VMI lifecycle, faults, port-forward WebSocket, guest sshd'
