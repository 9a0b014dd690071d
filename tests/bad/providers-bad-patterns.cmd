plan -p tests/bad/providers-bad-patterns.yaml --run-id bad001 scenarios.d/thin.yaml
