plan -p tests/bad/providers-ssh-no-creds.yaml --run-id bad001 scenarios.d/thin.yaml
