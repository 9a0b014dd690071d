/* journal.c: the write-ahead journal of a run (see journal.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "step/journal.h"
#include "step/step.h"
#include "util/json.h"

struct step_journal {
	pthread_mutex_t lock;
	int fd;			/* the journal, O_APPEND */
	int lock_fd;		/* flock'ed for the journal's life */
	bool earlier;		/* a run reopened an earlier run's journal */
	char *run_id;
};

char *
journal_dir(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (x && *x == '/')
		return xasprintf("%s/mtv-scenario", x);
	return xasprintf("%s/.local/state/mtv-scenario",
			 home && *home ? home : ".");
}

char *
journal_path(const char *run_id, const char *ext)
{
	char *dir = journal_dir(), *p = xasprintf("%s/%s.%s", dir, run_id, ext);

	free(dir);
	return p;
}

/* mkdir -p path, mode 0700 (the folder is the user's own). */
static int
mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int r = 0;

	for (s = p + 1; r == 0 && *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			r = -1;
		*s = '/';
	}
	if (r == 0 && mkdir(p, 0700) != 0 && errno != EEXIST)
		r = -1;
	free(p);
	return r;
}

static int
write_line(int fd, json_object *rec)
{
	const char *s = json_object_to_json_string_ext(rec,
						       JSON_C_TO_STRING_PLAIN);
	char *line = xasprintf("%s\n", s);
	size_t len = strlen(line), off = 0;
	int r = 0;

	/* one write per record: O_APPEND keeps records whole */
	while (r == 0 && off < len) {
		ssize_t w = write(fd, line + off, len - off);

		if (w < 0 && errno != EINTR)
			r = -1;
		else if (w > 0)
			off += (size_t)w;
	}
	if (r == 0 && fsync(fd) != 0)
		r = -1;
	free(line);
	return r;
}

/* The run record: header and who writes the journal. */
static json_object *
run_record(const char *run_id, json_object *header)
{
	json_object *rec = json_object_new_object();

	jputs(rec, "op", "run");
	jputs(rec, "run_id", run_id);
	json_object_object_add(rec, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(rec, "time",
			       json_object_new_int64((int64_t)time(NULL)));
	if (header) {
		json_object_object_foreach(header, key, val)
		    json_object_object_add(rec, key, json_object_get(val));
	}
	return rec;
}

int
journal_open(struct step_journal **out, const char *run_id,
	     json_object *header, struct mtv_err *err)
{
	char *dir = journal_dir(), *jp = NULL, *lp = NULL;
	struct step_journal *j = NULL;
	json_object *rec = NULL;
	struct stat st;
	int r = MTV_EIO;

	*out = NULL;
	if (mkdirs(dir) != 0) {
		err_set(err, MTV_EIO, "cannot create '%s': %s", dir,
			strerror(errno));
		goto out;
	}
	j = xcalloc(1, sizeof(*j));
	j->fd = j->lock_fd = -1;
	jp = journal_path(run_id, "journal");
	lp = journal_path(run_id, "lock");
	j->lock_fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->lock_fd < 0) {
		err_set(err, MTV_EIO, "cannot open '%s': %s", lp,
			strerror(errno));
		goto out;
	}
	if (flock(j->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		r = err_set(err, MTV_ECONFLICT,
			    "run '%s' is in use by another process (lock '%s')",
			    run_id, lp);
		goto out;
	}
	j->fd = open(jp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0 || fstat(j->fd, &st) != 0) {
		err_set(err, MTV_EIO, "cannot open '%s': %s", jp,
			strerror(errno));
		goto out;
	}
	j->run_id = xstrdup(run_id);
	j->earlier = header && st.st_size > 0;
	pthread_mutex_init(&j->lock, NULL);
	if (header || st.st_size == 0) {
		rec = run_record(run_id, header);
		if (write_line(j->fd, rec) != 0) {
			err_set(err, MTV_EIO, "cannot write '%s': %s", jp,
				strerror(errno));
			pthread_mutex_destroy(&j->lock);
			goto out;
		}
	}
	*out = j;
	j = NULL;
	r = 0;
out:
	if (j) {
		if (j->fd >= 0)
			close(j->fd);
		if (j->lock_fd >= 0)
			close(j->lock_fd);
		free(j->run_id);
		free(j);
	}
	json_object_put(rec);
	free(jp);
	free(lp);
	free(dir);
	return r;
}

void
journal_close(struct step_journal *j, bool complete)
{
	if (j == NULL)
		return;
	close(j->fd);
	/* an earlier run's records stay for cleanup to check */
	if (complete && !j->earlier) {
		char *jp = journal_path(j->run_id, "journal"),
		     *lp = journal_path(j->run_id, "lock");

		/* the journal first: a lock file alone means nothing */
		unlink(jp);
		unlink(lp);
		free(jp);
		free(lp);
	}
	close(j->lock_fd);
	pthread_mutex_destroy(&j->lock);
	free(j->run_id);
	free(j);
}

int
journal_append(struct step_journal *j, json_object *rec, struct mtv_err *err)
{
	int r;

	pthread_mutex_lock(&j->lock);
	r = write_line(j->fd, rec);
	pthread_mutex_unlock(&j->lock);
	if (r != 0)
		return err_set(err, MTV_EIO, "journal of run '%s': %s",
			       j->run_id, strerror(errno));
	return 0;
}

bool
journal_alive(const char *run_id)
{
	char *lp = journal_path(run_id, "lock");
	int fd = open(lp, O_RDWR | O_CLOEXEC);
	bool alive = false;

	if (fd >= 0) {
		alive = flock(fd, LOCK_EX | LOCK_NB) != 0 &&
			errno == EWOULDBLOCK;
		close(fd);
	}
	free(lp);
	return alive;
}

/* The entry of step id in steps, added when missing. */
static json_object *
entry(json_object *steps, int id, bool add)
{
	json_object *e;
	size_t i;

	for (i = 0; i < jlen(steps); i++) {
		e = json_object_array_get_idx(steps, i);
		if (jint(e, "id") == id)
			return e;
	}
	if (!add)
		return NULL;
	e = json_object_new_object();
	json_object_object_add(e, "id", json_object_new_int(id));
	json_object_object_add(e, "done", json_object_new_boolean(false));
	json_object_array_add(steps, e);
	return e;
}

/* Fold one record into the reading. */
static void
fold(json_object *res, json_object *rec)
{
	const char *op = jstr(rec, "op");
	json_object *steps = jget(res, "steps"), *e;
	int id = (int)jint(rec, "id");

	if (str_eq(op, "run")) {
		json_object_object_add(res, "run", json_object_get(rec));
	} else if (str_eq(op, "begin")) {
		e = entry(steps, id, true);
		json_object_object_add(e, "step",
				       json_object_get(jget(rec, "step")));
		json_object_object_add(e, "done",
				       json_object_new_boolean(false));
	} else if (str_eq(op, "undo") && (e = entry(steps, id, true))) {
		json_object_object_add(e, "undo",
				       json_object_get(jget(rec, "undo")));
	} else if (str_eq(op, "done") && (e = entry(steps, id, false))) {
		json_object_object_add(e, "done",
				       json_object_new_boolean(true));
	} else if (str_eq(op, "complete")) {
		json_object_object_add(res, "complete",
				       json_object_new_boolean(true));
	}
}

int
journal_read(json_object **out, const char *path, struct mtv_err *err)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	json_object *res;

	*out = NULL;
	if (fp == NULL)
		return err_set(err, errno == ENOENT ? MTV_ENOTFOUND : MTV_EIO,
			       "cannot read '%s': %s", path, strerror(errno));
	res = json_object_new_object();
	json_object_object_add(res, "run", NULL);
	json_object_object_add(res, "steps", json_object_new_array());
	json_object_object_add(res, "complete", json_object_new_boolean(false));
	while (getline(&line, &cap, fp) > 0) {
		json_object *rec = json_tokener_parse(line);

		if (rec && json_object_is_type(rec, json_type_object))
			fold(res, rec);
		json_object_put(rec);
	}
	free(line);
	fclose(fp);
	*out = res;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

json_object *
journal_list(void)
{
	char *dir = journal_dir();
	DIR *d = opendir(dir);
	json_object *ids = json_object_new_array();
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > 8 && strcmp(de->d_name + l - 8, ".journal") == 0) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrndup(de->d_name, l - 8);
		}
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		json_object_array_add(ids, json_object_new_string(names[i]));
		free(names[i]);
	}
	free(names);
	free(dir);
	return ids;
}

/* ---- step helpers ---- */

static void
step_record(struct step_ctx *ctx, json_object *step, const char *op,
	    const char *key, json_object *val)
{
	json_object *rec;
	struct mtv_err err = { 0 };

	if (ctx == NULL || ctx->journal == NULL)
		return;
	rec = json_object_new_object();
	jputs(rec, "op", op);
	json_object_object_add(rec, "id",
			       json_object_new_int((int)jint(step, "id")));
	if (key)
		json_object_object_add(rec, key, json_object_get(val));
	if (journal_append(ctx->journal, rec, &err) != 0)
		log_warn("%s", err.msg);
	json_object_put(rec);
}

void
step_journal_begin(struct step_ctx *ctx, json_object *step)
{
	step_record(ctx, step, "begin", "step", step);
}

void
step_journal_add(struct step_ctx *ctx, json_object *step, json_object *undo)
{
	step_record(ctx, step, "undo", "undo", undo);
}

void
step_journal_done(struct step_ctx *ctx, json_object *step)
{
	step_record(ctx, step, "done", NULL, NULL);
}
