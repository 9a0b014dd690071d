plan --provider nosuch -p tests/bad/providers-unknown-profile.yaml --run-id bad001 scenarios.d/thin.yaml
