plan -p tests/bad/providers-vantara-missing.yaml --run-id bad001 scenarios.d/thin.yaml
