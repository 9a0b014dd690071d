/* options.c: the option table every subcommand shares, and its parser. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config/release.h"
#include "util/json.h"
#include "util/progress.h"

const struct cmd_spec *const cmd_table[] = {
	&cmd_run, &cmd_plan, &cmd_validate, &cmd_list, &cmd_cleanup,
	&cmd_report, &cmd_job, &cmd_version, &cmd_help,
	NULL,
};

#define SCN (CMD_RUN | CMD_PLAN | CMD_VALIDATE | CMD_LIST | CMD_JOB)
#define PROF (CMD_RUN | CMD_PLAN)
/* What a job's run is planned with (and passes on). */
#define JOBP (PROF | CMD_JOB)
/* Where run finds vSphere and the cluster: cleanup needs them too. */
#define CONN (CMD_RUN | CMD_CLEANUP)

/* The table drives getopt, --help and the man page check. */
const struct opt_spec opt_table[] = {
	{ "providers", 'p', "FILE", JOBP | CMD_VALIDATE | CMD_CLEANUP, "providers file (default: $MTV_SCENARIO_PROVIDERS, ./providers.yaml, ./.providers.json)" },
	{ "provider", 0, "NAME", JOBP | CMD_VALIDATE | CMD_CLEANUP, "provider profile in the providers file" },
	{ "storage-class", 0, "NAME", JOBP | CMD_VALIDATE, "target storage class (overrides the profile)" },
	{ "set", 0, "KEY=VALUE", JOBP | CMD_VALIDATE, "override a scenario or profile key" },
	{ "tc", 0, "KEY:VALUE", JOBP | CMD_VALIDATE, "pytest-suite style override: source_provider, storage_class or a scenario key" },
	{ "marker", 'm', "EXPR", SCN, "select scenarios by tags, e.g. 'copyoffload and not warm'" },
	{ "run-id", 0, "ID", PROF | CMD_CLEANUP, "run id ([a-z0-9]{6}) instead of a random one; cleanup: the run to clean up (repeatable)" },
	{ "all", 0, NULL, CMD_CLEANUP, "clean up every run in the journal folder that is no longer alive" },
	{ "format", 0, "FORMAT", CMD_PLAN | CMD_LIST | CMD_VALIDATE | CMD_REPORT, "output format: text or json; report: table (default), markdown or csv" },
	{ "mtv", 0, "VERSION", PROF | CMD_VALIDATE, "make plans for this MTV release (2.9, 2.10, 2.11, 2.12 or main; default: plan 2.12, run the cluster's)" },
	{ "only", 0, "SIDE", PROF, "only the steps of one side: source or cluster" },
	{ "keep", 0, NULL, CMD_RUN, "leave what was created for inspection; print the cleanup command that removes it" },
	{ "artifacts", 0, "DIR", CMD_RUN, "evidence of failed runs in DIR/<scenario>-<run id> (default: $ARTIFACT_DIR/mtv-scenario when set; '' for none)" },
	{ "kubeconfig", 0, "FILE", CONN, "kubeconfig file (default: $KUBECONFIG, ~/.kube/config)" },
	{ "context", 0, "NAME", CONN, "kubeconfig context" },
	{ "timeout", 0, "SECONDS", CMD_RUN | CMD_JOB, "overall timeout of each scenario" },
	{ "jobs", 'j', "N", CMD_RUN, "run N scenarios side by side (default 1); those changing cluster-wide state run alone" },
	{ "progress", 0, "MODE", CMD_RUN, "tty (status area redrawn in place), plain (a timestamped heartbeat after 30 s of silence) or none; default: tty on a terminal, else plain" },
	{ "vsphere-parallel", 0, "N", CMD_RUN, "at most N vSphere steps of a scenario at a time, guest waits aside (default 4); the VMs' steps run side by side" },
	{ "report", 0, "FILE", CMD_RUN, "write a JSON report" },
	{ "junit", 0, "FILE", CMD_RUN, "write a JUnit XML report: one test case per scenario" },
	{ "junit-flavor", 0, "FLAVOR", CMD_RUN, "polarion (default: Polarion properties) or strict (Jenkins xunit's schema)" },
	{ "junit-property", 0, "KEY=VALUE", CMD_RUN, "a property of the JUnit test run, e.g. polarion-project-id=MTV (repeatable)" },
	{ "image", 0, "IMAGE", CMD_JOB, "container image of the Job (default: localhost/mtv-scenario:VERSION, as the Containerfile builds it)" },
	{ "namespace", 0, "NAME", CMD_JOB, "namespace of the Job, its ServiceAccount, ConfigMap and Secret (default: mtv-scenario)" },
	{ "providers-secret", 0, "NAME[/KEY]", CMD_JOB, "use this existing Secret's key (default providers.yaml) as the providers file instead of a Secret made from -p" },
	{ "reports-pvc", 0, "NAME", CMD_JOB, "write the reports to this PersistentVolumeClaim instead of an emptyDir" },
	{ "verbose", 'v', NULL, CMD_ALL, "more output (repeat for debug, trace)" },
	{ "quiet", 'q', NULL, CMD_ALL, "less output" },
	{ "log-level", 0, "LEVEL", CMD_ALL, "error, warn, info, verbose, debug or trace" },
	{ "log-file", 0, "FILE", CMD_RUN, "also write the log to FILE (redacted)" },
	{ "no-color", 0, NULL, CMD_ALL, "no colours (also $NO_COLOR)" },
	{ "no-redact", 0, NULL, CMD_RUN | CMD_PLAN, "do not mask secrets in logs (prints a warning)" },
	{ "help", 'h', NULL, CMD_ALL, "show help" },
	{ "version", 'V', NULL, CMD_ALL, "show version" },
	{ NULL, 0, NULL, 0, NULL },
};

/* parse_argv marks the options seen in 64 bits (the last entry ends it). */
_Static_assert(ARRAY_SIZE(opt_table) <= 65, "opt_table: more than 64 options");

const struct cmd_spec *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; cmd_table[i]; i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

const char *
cmd_closest(const char *name)
{
	const char *names[16];
	size_t i, n = 0;

	for (i = 0; cmd_table[i] && n < ARRAY_SIZE(names); i++)
		names[n++] = cmd_table[i]->name;
	return str_closest(name, names, n);
}

static void
add_set(struct mtv_opts *o, const char *name, const char *arg, char sep)
{
	const char *eq = strchr(arg, sep);
	char *key;

	if (o->sets == NULL) {
		o->sets = json_object_new_object();
		o->set_args = json_object_new_object();
	}
	key = xstrndup(arg, (size_t)(eq - arg));
	json_object_object_add(o->sets, key, json_object_new_string(eq + 1));
	json_object_object_add(o->set_args, key,
			       json_object_new_string(name));
	free(key);
}

/* getopt_long's tables from opt_table: long options get 256 + their index,
 * short ones their letter. */
static void
getopt_tables(struct option *lopts, char *sopts)
{
	char *sp = sopts;
	size_t i;

	*sp++ = '+';	/* stop at the subcommand; parsed again after it */
	*sp++ = ':';
	for (i = 0; opt_table[i].lng; i++) {
		lopts[i].name = opt_table[i].lng;
		lopts[i].has_arg = opt_table[i].arg ? required_argument : no_argument;
		lopts[i].flag = NULL;
		lopts[i].val = 256 + (int)i;
		if (opt_table[i].shrt) {
			*sp++ = (char)opt_table[i].shrt;
			if (opt_table[i].arg)
				*sp++ = ':';
		}
	}
	memset(&lopts[i], 0, sizeof(lopts[i]));
	*sp = '\0';
}

/* "unknown option '--verbos' (did you mean '--verbose'?)" */
static int
unknown_option(const char *bad, struct mtv_err *err)
{
	const char *names[64], *dym = NULL;
	size_t i, n = 0, len;
	char *word;

	if (bad[0] == '-' && bad[1] == '-') {
		len = strcspn(bad + 2, "=");
		word = xstrndup(bad + 2, len);
		for (i = 0; opt_table[i].lng && n < ARRAY_SIZE(names); i++)
			names[n++] = opt_table[i].lng;
		dym = str_closest(word, names, n);
		free(word);
	}
	if (dym)
		return err_set(err, MTV_EINVAL,
			       "unknown option '%s' (did you mean '--%s'?)",
			       bad, dym);
	return err_set(err, MTV_EINVAL, "unknown option '%s'", bad);
}

/* --set KEY=VALUE or --tc KEY:VALUE */
static int
opt_set(struct mtv_opts *o, const char *name, const char *arg,
	struct mtv_err *err)
{
	char sep = name[0] == 's' ? '=' : ':';

	if (strchr(arg, sep) == NULL || arg[0] == sep)
		return err_set(err, MTV_EINVAL, "--%s '%s': expected KEY%cVALUE",
			       name, arg, sep);
	add_set(o, name, arg, sep);
	return 0;
}

/* --junit-property KEY=VALUE: the last one of a key wins. */
static int
opt_junit_property(struct mtv_opts *o, const char *arg, struct mtv_err *err)
{
	const char *eq = strchr(arg, '=');
	char *key;

	if (eq == NULL || eq == arg)
		return err_set(err, MTV_EINVAL, "--junit-property '%s': "
			       "expected KEY=VALUE", arg);
	if (o->junit_props == NULL)
		o->junit_props = json_object_new_object();
	key = xstrndup(arg, (size_t)(eq - arg));
	json_object_object_add(o->junit_props, key,
			       json_object_new_string(eq + 1));
	free(key);
	return 0;
}

static int
opt_timeout(struct mtv_opts *o, const char *arg, struct mtv_err *err)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || v <= 0 || v > 30 * 86400)
		return err_set(err, MTV_EINVAL,
			       "--timeout '%s': expected a number of seconds",
			       arg);
	o->timeout = (int)v;
	return 0;
}

/* A count from 1 to max for --name into *out. */
static int
opt_count(const char *name, const char *arg, int max, int *out,
	  struct mtv_err *err)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || v < 1 || v > max)
		return err_set(err, MTV_EINVAL,
			       "--%s '%s': expected a number from 1 to %d",
			       name, arg, max);
	*out = (int)v;
	return 0;
}

static int
opt_progress(struct mtv_opts *o, const char *arg, struct mtv_err *err)
{
	enum progress_mode m;

	if (str_eq(arg, "auto") || progress_mode_parse(&m, arg) != 0)
		return err_set(err, MTV_EINVAL,
			       "--progress '%s': expected tty, plain or none",
			       arg);
	o->progress = arg;
	return 0;
}

/* Store option i of opt_table with its argument (may be NULL). */
static int
opt_store(struct mtv_opts *o, size_t i, const char *arg, struct mtv_err *err)
{
	const char *name = opt_table[i].lng;

	switch (opt_table[i].shrt) {
	case 'p': o->providers = arg; return 0;
	case 'm': o->marker = arg; return 0;
	case 'j': return opt_count("jobs", arg, PROGRESS_SLOTS, &o->jobs, err);
	case 'v': o->verbosity++; return 0;
	case 'q': o->verbosity--; return 0;
	case 'h': o->help = true; return 0;
	case 'V': if (o->cmd == NULL) o->cmd = "version"; return 0;
	default: break;
	}
	if (!strcmp(name, "provider")) o->provider = arg;
	else if (!strcmp(name, "storage-class")) o->storage_class = arg;
	else if (!strcmp(name, "set") || !strcmp(name, "tc"))
		return opt_set(o, name, arg, err);
	else if (!strcmp(name, "run-id")) {
		o->run_id = arg;
		if (o->run_ids == NULL)
			o->run_ids = json_object_new_array();
		json_object_array_add(o->run_ids, json_object_new_string(arg));
	} else if (!strcmp(name, "all")) o->all = true;
	else if (!strcmp(name, "format")) o->format = arg;
	else if (!strcmp(name, "only")) o->only = arg;
	else if (!strcmp(name, "mtv")) o->mtv = arg;
	else if (!strcmp(name, "keep")) o->keep = true;
	else if (!strcmp(name, "artifacts")) o->artifacts = arg;
	else if (!strcmp(name, "kubeconfig")) o->kubeconfig = arg;
	else if (!strcmp(name, "context")) o->context = arg;
	else if (!strcmp(name, "report")) o->report = arg;
	else if (!strcmp(name, "junit")) o->junit = arg;
	else if (!strcmp(name, "junit-flavor")) o->junit_flavor = arg;
	else if (!strcmp(name, "junit-property"))
		return opt_junit_property(o, arg, err);
	else if (!strcmp(name, "log-level")) o->log_level = arg;
	else if (!strcmp(name, "log-file")) o->log_file = arg;
	else if (!strcmp(name, "progress"))
		return opt_progress(o, arg, err);
	else if (!strcmp(name, "no-color")) o->no_color = true;
	else if (!strcmp(name, "no-redact")) o->no_redact = true;
	else if (!strcmp(name, "image")) o->image = arg;
	else if (!strcmp(name, "namespace")) o->namespace = arg;
	else if (!strcmp(name, "providers-secret")) o->providers_secret = arg;
	else if (!strcmp(name, "reports-pvc")) o->reports_pvc = arg;
	else if (!strcmp(name, "timeout"))
		return opt_timeout(o, arg, err);
	else if (!strcmp(name, "vsphere-parallel"))
		return opt_count(name, arg, 64, &o->vsphere_parallel,
				 err);
	return 0;
}

/* Walk argv: the subcommand, options before and after it, positional
 * arguments; *used gets a bit per opt_table entry seen. */
static int
parse_argv(struct mtv_opts *o, int argc, char **argv, uint64_t *used,
	   struct mtv_err *err)
{
	struct option lopts[64];
	char sopts[64];
	size_t i;
	int c, idx;

	getopt_tables(lopts, sopts);
	optind = 1;
	opterr = 0;
	for (;;) {
		if (optind < argc && argv[optind][0] != '-' && o->cmd == NULL) {
			o->cmd = argv[optind++];
			continue;
		}
		c = getopt_long(argc, argv, sopts, lopts, &idx);
		if (c == -1) {
			if (optind >= argc)
				return 0;
			if (o->cmd == NULL) {
				o->cmd = argv[optind++];
				continue;
			}
			/* positional argument: keep, go on parsing */
			o->args = xrealloc(o->args, (size_t)(o->nargs + 1) * sizeof(char *));
			o->args[o->nargs++] = argv[optind++];
			continue;
		}
		if (c == ':')
			return err_set(err, MTV_EINVAL, "option '%s' needs an argument",
				       argv[optind - 1]);
		if (c == '?')
			return unknown_option(argv[optind - 1], err);
		if (c < 256) {
			for (i = 0; opt_table[i].lng; i++)
				if (opt_table[i].shrt == c)
					break;
		} else {
			i = (size_t)(c - 256);
		}
		*used |= (uint64_t)1 << i;
		if (opt_store(o, i, optarg, err) != 0)
			return MTV_EINVAL;
	}
}

static bool
run_id_ok(const char *id)
{
	size_t i, l = strlen(id);
	bool ok = l == 6;

	for (i = 0; ok && i < l; i++)
		ok = (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9');
	return ok;
}

/* The options fit the subcommand and their values their domains. */
static int
check_values(const struct mtv_opts *o, uint64_t used, struct mtv_err *err)
{
	const struct cmd_spec *cmd;
	size_t i;

	if (o->cmd && (cmd = cmd_find(o->cmd)) != NULL) {
		for (i = 0; opt_table[i].lng; i++)
			if ((used & ((uint64_t)1 << i)) && !(opt_table[i].mask & cmd->mask))
				return err_set(err, MTV_EINVAL,
					       "option '--%s' does not apply to '%s'",
					       opt_table[i].lng, cmd->name);
	}
	if (o->format && str_eq(o->cmd, "report")) {
		if (!str_eq(o->format, "table") &&
		    !str_eq(o->format, "markdown") && !str_eq(o->format, "csv"))
			return err_set(err, MTV_EINVAL, "--format '%s': "
				       "expected table, markdown or csv",
				       o->format);
	} else if (o->format && strcmp(o->format, "text") &&
		   strcmp(o->format, "json")) {
		return err_set(err, MTV_EINVAL, "--format '%s': expected text or json", o->format);
	}
	if (o->junit_flavor && strcmp(o->junit_flavor, "polarion") &&
	    strcmp(o->junit_flavor, "strict"))
		return err_set(err, MTV_EINVAL, "--junit-flavor '%s': expected "
			       "polarion or strict", o->junit_flavor);
	if (o->mtv && release_find(o->mtv) == NULL)
		return err_set(err, MTV_EINVAL, "--mtv '%s': not an MTV "
			       "release mtv-scenario knows (%s)", o->mtv,
			       release_names());
	if (o->only && strcmp(o->only, "source") && strcmp(o->only, "cluster"))
		return err_set(err, MTV_EINVAL, "--only '%s': expected source or cluster", o->only);
	for (i = 0; i < jlen(o->run_ids); i++) {
		const char *id = json_object_get_string(
		    json_object_array_get_idx(o->run_ids, i));

		if (!run_id_ok(id))
			return err_set(err, MTV_EINVAL, "--run-id '%s': expected 6 characters of [a-z0-9]", id);
	}
	return 0;
}

/* Log level, colours and redaction from the options. */
static int
apply_logging(const struct mtv_opts *o, struct mtv_err *err)
{
	enum mtv_loglevel lvl = LOG_LVL_INFO;
	int v = o->verbosity;

	if (o->log_level && log_level_parse(o->log_level, &lvl) != 0)
		return err_set(err, MTV_EINVAL, "--log-level '%s': expected error, warn, info, verbose, debug or trace", o->log_level);
	if (!o->log_level) {
		v += LOG_LVL_INFO;
		if (v < LOG_LVL_ERROR) v = LOG_LVL_ERROR;
		if (v > LOG_LVL_TRACE) v = LOG_LVL_TRACE;
		lvl = (enum mtv_loglevel)v;
	}
	log_set_level(lvl);
	log_set_color(!o->no_color && getenv("NO_COLOR") == NULL && isatty(2));
	if (o->no_redact) {
		redact_disable();
		fprintf(stderr, "warning: --no-redact: secrets will appear in the output\n");
	}
	return 0;
}

int
opts_parse(struct mtv_opts *o, int argc, char **argv, struct mtv_err *err)
{
	uint64_t used = 0;

	memset(o, 0, sizeof(*o));
	if (parse_argv(o, argc, argv, &used, err) != 0 ||
	    check_values(o, used, err) != 0 || apply_logging(o, err) != 0)
		return MTV_EINVAL;
	return 0;
}

void
opts_release(struct mtv_opts *o)
{
	free(o->args);
	if (o->sets)
		json_object_put(o->sets);
	json_object_put(o->set_args);
	json_object_put(o->run_ids);
	json_object_put(o->junit_props);
	memset(o, 0, sizeof(*o));
}

void
opts_usage(const struct cmd_spec *cmd, FILE *fp)
{
	size_t i;

	if (cmd == NULL) {
		fprintf(fp, "usage: mtv-scenario COMMAND [options] [FILE|DIR...]\n\n"
			    "Drive and verify MTV (Forklift) copy-offload migrations from scenario files.\n\n"
			    "Commands:\n");
		for (i = 0; cmd_table[i]; i++)
			fprintf(fp, "  %-10s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
		fprintf(fp, "\nRun 'mtv-scenario COMMAND --help' for the options of a command.\n"
			    "Exit codes: 0 passed, 1 failed, 2 interrupted, 3 internal error,\n"
			    "4 usage/config/validation error, 5 nothing selected.\n"
			    "See mtv-scenario(1) and mtv-scenario(5).\n");
		return;
	}
	fprintf(fp, "usage: mtv-scenario %s %s\n\n%s\n\nOptions:\n", cmd->name,
		cmd->synopsis, cmd->summary);
	for (i = 0; opt_table[i].lng; i++) {
		char left[64];

		if (!(opt_table[i].mask & cmd->mask))
			continue;
		if (opt_table[i].shrt)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opt_table[i].shrt,
				 opt_table[i].lng, opt_table[i].arg ? " " : "",
				 opt_table[i].arg ? opt_table[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opt_table[i].lng,
				 opt_table[i].arg ? " " : "",
				 opt_table[i].arg ? opt_table[i].arg : "");
		/* a long one gets its help on the next line, as GNU's do */
		if (strlen(left) > 28)
			fprintf(fp, "  %s\n  %-28s %s\n", left, "",
				opt_table[i].help);
		else
			fprintf(fp, "  %-28s %s\n", left, opt_table[i].help);
	}
}
