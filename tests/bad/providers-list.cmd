plan -p tests/bad/providers-list.yaml --run-id bad001 scenarios.d/thin.yaml
