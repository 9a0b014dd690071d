plan -p tests/bad/providers-two-profiles.yaml --run-id bad001 scenarios.d/thin.yaml
