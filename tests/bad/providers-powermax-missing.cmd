plan -p tests/bad/providers-powermax-missing.yaml --run-id bad001 scenarios.d/thin.yaml
