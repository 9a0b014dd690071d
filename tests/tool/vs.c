/* vs.c: mtv-test-tool vs, the vSphere client and the source steps.
 *   vs run PLAN.json [--keep] [--only source]   run a plan's steps
 *   vs info VM                                   vs_vm_info as JSON
 *   vs destroy VM                                the clone step's undo
 *   vs guest-run|guest-put|guest-get|guest-rm VM ...  Guest Operations
 *                                                (guest.c)
 * The connection comes from GOVC_URL, GOVC_USERNAME, GOVC_PASSWORD,
 * GOVC_TLS_CA_CERTS, GOVC_TLS_KNOWN_HOSTS_THUMBPRINT, GOVC_INSECURE;
 * MTV_LOG_LEVEL sets the log level. Prints "calls N" (SOAP round trips of
 * this process's own client) on stderr for benchmarks. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "exec/exec.h"
#include "step/vs_step.h"
#include "tool.h"

static int
cmd_info(const char *name)
{
	struct mtv_err err = { 0 };
	struct vs_client *vs = NULL;
	struct vs_opts o;
	json_object *info = NULL;
	int r;

	step_vs_opts(&o, NULL);
	r = vs_connect(&vs, &o, &err);
	secret_free((struct secret *)o.password);
	if (r == 0)
		r = vs_vm_info(vs, name, &info, &err);
	if (r != 0) {
		log_error("%s", err.msg);
		vs_free(vs);
		return r == MTV_ENOTFOUND ? 2 : 1;
	}
	puts(json_object_to_json_string_ext(info, JSON_C_TO_STRING_PLAIN));
	json_object_put(info);
	vs_free(vs);
	return 0;
}

static int
cmd_destroy(const char *name)
{
	struct mtv_err err = { 0 };
	struct vs_client *vs = NULL;
	struct vs_opts o;
	char *vm = NULL;
	int r;

	step_vs_opts(&o, NULL);
	r = vs_connect(&vs, &o, &err);
	secret_free((struct secret *)o.password);
	if (r == 0)
		r = vs_find(vs, "VirtualMachine", name, &vm, &err);
	if (r == 0)
		r = vstep_vm_destroy(vs, vm, name, 600, &err);
	if (r != 0)
		log_error("%s", err.msg);
	free(vm);
	vs_free(vs);
	return r == 0 ? 0 : 1;
}

static int
cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct run_result res;
	json_object *plan;
	size_t i;
	int a, r;

	for (a = 3; a < argc; a++) {
		if (strcmp(argv[a], "--keep") == 0)
			o.keep = true;
		else if (strcmp(argv[a], "--only") == 0 && a + 1 < argc)
			o.only = argv[++a];
	}
	plan = json_object_from_file(argv[2]);
	if (plan == NULL) {
		log_error("cannot read plan '%s'", argv[2]);
		return 3;
	}
	r = exec_run(&res, plan, NULL, &o);
	for (i = 0; i < res.n; i++)
		printf("%s %d %s%s%s%s\n", res.steps[i].code ? "FAIL" : "ok",
		       res.steps[i].id, res.steps[i].teardown ? "undo " : "",
		       res.steps[i].kind ? res.steps[i].kind : "",
		       res.steps[i].message ? ": " : "",
		       res.steps[i].message ? res.steps[i].message : "");
	if (r != 0)
		printf("result: %s\n", res.message ? res.message : err_name(r));
	run_result_release(&res);
	json_object_put(plan);
	return r == 0 ? 0 : 1;
}

int
tool_vs(int argc, char **argv)
{
	enum mtv_loglevel lvl;
	int r = 4;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (getenv("MTV_LOG_LEVEL") &&
	    log_level_parse(getenv("MTV_LOG_LEVEL"), &lvl) == 0)
		log_set_level(lvl);
	if (getenv("GOVC_PASSWORD"))
		redact_add(getenv("GOVC_PASSWORD"));
	if (argc >= 2 && str_startswith(argv[1], "guest-"))
		r = tool_vs_guest(argc - 1, argv + 1);
	else if (argc >= 3 && strcmp(argv[1], "info") == 0)
		r = cmd_info(argv[2]);
	else if (argc >= 3 && strcmp(argv[1], "destroy") == 0)
		r = cmd_destroy(argv[2]);
	else if (argc >= 3 && strcmp(argv[1], "run") == 0)
		r = cmd_run(argc, argv);
	else
		fprintf(stderr,
			"usage: mtv-test-tool vs run PLAN.json [--keep] [--only source]\n"
			"       mtv-test-tool vs info|destroy VM\n"
			"       mtv-test-tool vs guest-run|guest-put|guest-get|guest-rm VM ...\n");
	curl_global_cleanup();
	return r;
}
