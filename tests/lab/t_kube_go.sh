#!/bin/bash
# Go unit tests of the lab's Kubernetes object store (the API the Forklift
# model codes against), patch types and token names.
. "$(dirname "$0")/gotest.sh"
lab_go_test '^TestKube' 'kube store: CRUD, status, generation, validation, admission, watch, GC, patch'
