#!/bin/bash
# Go unit tests of the lab's guest model: the file system in a disk's bytes
# (accounts, host key, corruption) and the guest shell.
. "$(dirname "$0")/gotest.sh"
lab_go_test '^TestGuest' 'guest file system, accounts and shell'
