plan -p tests/bad/providers-json-comment.json --run-id bad001 scenarios.d/thin.yaml
