plan -p tests/bad/providers-missing-fqdn.yaml --run-id bad001 scenarios.d/thin.yaml
