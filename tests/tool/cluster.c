/* cluster.c: mtv-test-tool cluster, the cluster-side steps and the ESXi
 * client without the scenario expansion:
 *   cluster run KUBECONFIG PLAN.json [PROVIDERS]
 *           run a plan (from 'mtv-scenario plan', maybe edited); with the
 *           providers file, the plan's profile resolves secrets
 *   cluster esxi add|remove|line HOST PORT KEYFILE KNOWN_HOSTS|-
 *           FINGERPRINT|- AUTHORIZED_KEYS PUBLIC_KEY
 * Exit 0 on success, 1 on failure (message on stderr). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "esxi/esxi.h"
#include "tool.h"
#include "config/profile.h"

/* The profile the plan names, from the providers file (NULL: none). */
static int
plan_profile(struct mtv_profile **out, json_object *plan, const char *providers)
{
	struct profile_opts po = { 0 };
	struct mtv_diags diags = { 0 };
	int rc;

	*out = NULL;
	if (providers == NULL)
		return 0;
	po.providers_file = providers;
	po.name = jstr(plan, "profile");
	rc = profile_load(out, &po, &diags);
	diags_print(&diags, stderr);
	diags_release(&diags);
	return rc;
}

static int
run(const char *kubeconfig, const char *file, const char *providers)
{
	struct mtv_profile *prof = NULL;
	struct run_opts o;
	struct run_result res;
	struct mtv_err err = { 0 };
	json_object *plan;
	char *text = NULL;
	size_t len, i;
	int rc;

	if (file_read(&text, &len, file, 0, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	plan = json_tokener_parse(text);
	free(text);
	if (plan == NULL) {
		fprintf(stderr, "%s: not JSON\n", file);
		return 1;
	}
	if (plan_profile(&prof, plan, providers) != 0) {
		json_object_put(plan);
		return 1;
	}
	memset(&o, 0, sizeof(o));
	o.kubeconfig = kubeconfig;
	rc = exec_run(&res, plan, prof, &o);
	for (i = 0; i < res.n; i++)
		printf("%s %d %s %s%s%s\n",
		       res.steps[i].teardown ? "undo" : "step", res.steps[i].id,
		       res.steps[i].kind, res.steps[i].code ? "FAIL" : "ok",
		       res.steps[i].message ? ": " : "",
		       res.steps[i].message ? res.steps[i].message : "");
	printf("leaks %d\n", res.leaks);
	if (rc != 0)
		fprintf(stderr, "run failed: %s\n",
			res.message ? res.message : err_name(rc));
	run_result_release(&res);
	json_object_put(plan);
	profile_free(prof);
	return rc == 0 ? 0 : 1;
}

static int
esxi(int argc, char **argv)
{
	struct esxi_opts o;
	struct mtv_err err = { 0 };
	char *line;
	bool added = false;
	int rc = 0;

	if (argc < 8)
		return 2;
	memset(&o, 0, sizeof(o));
	o.host = argv[1];
	o.port = atoi(argv[2]);
	o.user = getenv("ESXI_USER") ? getenv("ESXI_USER") : "root";
	o.private_key_file = argv[3];
	o.known_hosts = strcmp(argv[4], "-") ? argv[4] : NULL;
	o.fingerprint = strcmp(argv[5], "-") ? argv[5] : NULL;
	o.authorized_keys = argv[6];
	o.accept_unknown = getenv("ESXI_ACCEPT_UNKNOWN") != NULL;
	line = esxi_restricted_line(argv[7]);
	if (strcmp(argv[0], "line") == 0)
		printf("%s\n", line);
	else if (strcmp(argv[0], "add") == 0)
		rc = esxi_key_add(&o, line, &added, &err);
	else
		rc = esxi_key_remove(&o, line, &err);
	if (rc == 0 && strcmp(argv[0], "add") == 0)
		printf("%s\n", added ? "added" : "present");
	if (rc != 0)
		fprintf(stderr, "%s\n", err.msg);
	free(line);
	return rc == 0 ? 0 : 1;
}

int
tool_cluster(int argc, char **argv)
{
	if (getenv("CLUSTERTOOL_DEBUG"))
		log_set_level(LOG_LVL_DEBUG);
	else
		log_set_level(LOG_LVL_VERBOSE);
	if (argc >= 4 && strcmp(argv[1], "run") == 0)
		return run(argv[2], argv[3], argc >= 5 ? argv[4] : NULL);
	if (argc >= 3 && strcmp(argv[1], "esxi") == 0)
		return esxi(argc - 2, argv + 2);
	fprintf(
	    stderr,
	    "usage: mtv-test-tool cluster run KUBECONFIG PLAN.json [PROVIDERS]\n"
	    "       mtv-test-tool cluster esxi add|remove|line ...\n");
	return 2;
}
