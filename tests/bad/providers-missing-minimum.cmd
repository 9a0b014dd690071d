plan -p tests/bad/providers-missing-minimum.yaml --run-id bad001 scenarios.d/thin.yaml
