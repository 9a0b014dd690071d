plan -p tests/bad/providers-ovirt.yaml --run-id bad001 scenarios.d/thin.yaml
