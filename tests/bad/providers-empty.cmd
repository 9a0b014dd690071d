plan -p tests/bad/providers-empty.yaml --run-id bad001 scenarios.d/thin.yaml
