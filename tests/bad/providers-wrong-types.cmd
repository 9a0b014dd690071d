plan -p tests/bad/providers-wrong-types.yaml --run-id bad001 scenarios.d/thin.yaml
