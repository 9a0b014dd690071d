#!/bin/bash
# Go unit tests of the lab's Forklift model: VM name sanitiser (Forklift's
# own examples), PVC name templates and suffixes, SSH key check, vendor keys.
. "$(dirname "$0")/gotest.sh"
lab_go_test '^TestForklift' 'Forklift model: names, PVC templates, SSH key line, vendor secrets, scheduler cost, VDDK image rule, release table'
