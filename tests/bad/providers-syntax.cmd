plan -p tests/bad/providers-syntax.yaml --run-id bad001 scenarios.d/thin.yaml
