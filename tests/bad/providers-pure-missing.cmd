plan -p tests/bad/providers-pure-missing.yaml --run-id bad001 scenarios.d/thin.yaml
