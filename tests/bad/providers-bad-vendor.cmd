plan -p tests/bad/providers-bad-vendor.yaml --run-id bad001 scenarios.d/thin.yaml
