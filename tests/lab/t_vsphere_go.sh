#!/bin/bash
# Go unit tests of the lab's vSphere and ESXi parts: every correction of the
# stock simulator passes against the lab and fails against the stock one.
. "$(dirname "$0")/gotest.sh"
lab_go_test '^(TestVsphere|TestEsxi)' 'vSphere fixes against lab and stock simulator, ESXi keys'
