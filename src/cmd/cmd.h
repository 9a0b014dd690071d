/* cmd.h: subcommands and the one option table they share. */
#ifndef MTV_CMD_H
#define MTV_CMD_H

#include <json-c/json.h>

#include "util/util.h"

/* Which subcommands an option belongs to. */
#define CMD_RUN		0x01
#define CMD_PLAN	0x02
#define CMD_VALIDATE	0x04
#define CMD_LIST	0x08
#define CMD_VERSION	0x10
#define CMD_HELP	0x20
#define CMD_CLEANUP	0x40
#define CMD_REPORT	0x80
#define CMD_JOB		0x100
#define CMD_ALL		0x1ff

/* Every option of every subcommand, after parsing. */
struct mtv_opts {
	const char *providers;		/* -p/--providers */
	const char *provider;		/* --provider (profile) */
	const char *storage_class;	/* --storage-class */
	const char *kubeconfig;		/* --kubeconfig */
	const char *context;		/* --context */
	const char *run_id;		/* --run-id (the last one) */
	json_object *run_ids;		/* every --run-id, in order */
	const char *only;		/* --only source|cluster */
	const char *artifacts;		/* --artifacts DIR */
	const char *mtv;		/* --mtv VERSION (checked) */
	const char *format;		/* --format text|json (report: table|
					 * markdown|csv) */
	const char *marker;		/* -m EXPR */
	const char *report;		/* --report FILE (JSON) */
	const char *junit;		/* --junit FILE */
	const char *junit_flavor;	/* --junit-flavor polarion|strict */
	json_object *junit_props;	/* --junit-property {KEY: VALUE} */
	const char *log_level;		/* --log-level */
	const char *log_file;		/* --log-file */
	json_object *sets;		/* --set k=v and --tc k:v, in order;
					 * typed by cmd_overrides_check */
	json_object *set_args;		/* {k: "--set k=v" as given} */
	int timeout;			/* --timeout SECONDS */
	int jobs;			/* -j/--jobs N (0: 1) */
	const char *progress;		/* --progress tty|plain|none */
	int vsphere_parallel;		/* --vsphere-parallel N; 0: default */
	int verbosity;			/* -v count minus -q count */
	bool all;			/* cleanup --all */
	const char *image;		/* job --image */
	const char *namespace;		/* job --namespace */
	const char *providers_secret;	/* job --providers-secret NAME[/KEY] */
	const char *reports_pvc;	/* job --reports-pvc */
	bool keep, no_color, no_redact, help;
	const char *cmd;		/* subcommand name */
	char **args;			/* positional arguments after the subcommand */
	int nargs;
};

struct cmd_spec {
	const char *name;
	const char *summary;
	const char *synopsis;		/* "[options] FILE|DIR..." */
	unsigned mask;			/* CMD_* bit */
	/* Returns an exit code (enum mtv_exit). */
	int (*run)(struct mtv_opts *o);
};

extern const struct cmd_spec cmd_run;
extern const struct cmd_spec cmd_plan;
extern const struct cmd_spec cmd_validate;
extern const struct cmd_spec cmd_list;
extern const struct cmd_spec cmd_cleanup;
extern const struct cmd_spec cmd_report;
extern const struct cmd_spec cmd_job;
extern const struct cmd_spec cmd_version;
extern const struct cmd_spec cmd_help;

/* Type every --set/--tc value as YAML 1.2 and validate it like a file
 * value (scenario schema; the providers schema for storage_class); unknown
 * keys get a did-you-mean. Problems go to diags naming the option. */
int cmd_overrides_check(struct mtv_opts *o, struct mtv_diags *diags);

extern const struct cmd_spec *const cmd_table[];
const struct cmd_spec *cmd_find(const char *name);
/* The command name closest to a misspelt one, or NULL. */
const char *cmd_closest(const char *name);

struct opt_spec {
	const char *lng;		/* long name */
	int shrt;			/* short letter or 0 */
	const char *arg;		/* argument name or NULL */
	unsigned mask;			/* subcommands */
	const char *help;
};
extern const struct opt_spec opt_table[];

/* Parse argv (options may come before or after the subcommand).
 * Returns 0, or MTV_EINVAL with a message in err. */
int opts_parse(struct mtv_opts *o, int argc, char **argv, struct mtv_err *err);
void opts_release(struct mtv_opts *o);
/* Print "usage: ..." and the options of cmd (NULL: global help). */
void opts_usage(const struct cmd_spec *cmd, FILE *fp);

/* The installed data folder (scenarios.d/, schema/, the example providers
 * file): $MTV_SCENARIO_DATADIR, else the configured pkgdatadir, seen from a
 * staged copy (make install DESTDIR=...) when the program runs from one. */
const char *cmd_datadir(void);

/* Scenario selection shared by run, plan, validate and list (collect.c):
 * expand FILE|DIR arguments (directories: *.yaml, *.yml, *.json, sorted;
 * default ./scenarios.d/, else the installed one, when there are none) into
 * paths. A relative argument missing from the current folder is looked up
 * in cmd_datadir(). */
int scenario_paths(char ***out, size_t *n, char **args, int nargs,
		   struct mtv_diags *diags);
void paths_free(char **paths, size_t n);
/* What list, plan and validate check before reading a file: --format is
 * text or json and -m parses. 0, or MTV_EXIT_USAGE after a message on
 * stderr naming cmd. */
int cmd_check_format(const struct mtv_opts *o, const char *cmd);
/* Load the scenario at path (NULL when it does not load; problems go to
 * diags); *selected when marker (may be NULL) matches its tags, which are
 * added to the set seen_tags (an object; may be NULL). The caller frees it
 * with scenario_free(). */
struct mtv_scenario;
struct mtv_scenario *cmd_scenario_load(const char *path, const char *marker,
				       bool *selected, json_object *seen_tags,
				       struct mtv_diags *diags);
/* Say on stderr that nothing was selected ("mtv-scenario: cmd: ...", cmd
 * may be NULL), and which tags of marker no scenario of seen_tags has,
 * with the tags there are. */
void cmd_nothing_selected(const char *cmd, const char *marker,
			  json_object *seen_tags);

/* "mtv-scenario cleanup --run-id RUN_ID" with the -p, --provider,
 * --kubeconfig and --context options of o, quoted for a shell; it removes
 * what run run_id left. The caller frees it. */
char *cmd_cleanup_command(const struct mtv_opts *o, const char *run_id);


/* Load the providers profile from o (shared by run and plan); problems go to
 * diags. */
struct mtv_profile;
int cmd_profile(struct mtv_profile **out, struct mtv_opts *o, struct mtv_diags *diags);

#endif
