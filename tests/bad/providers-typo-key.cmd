plan -p tests/bad/providers-typo-key.yaml --run-id bad001 scenarios.d/thin.yaml
