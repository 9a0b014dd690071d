plan -p tests/bad/providers-missing-symbolic.yaml --run-id bad001 scenarios.d/multi-datastore.yaml
