/* progress.c: the run's current activity (see progress.h). One table of
 * jobs (slot 0 is the scenario of a sequential run); the steps' reports
 * update slot 0, or become records for run -j's parent, which feeds them
 * into its own table and draws. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util/progress.h"
#include "util/util.h"

#define MAX_DISKS 16		/* per job, shown: the most recent */
#define SHOW_DISKS 4

struct pdisk {
	char *vm, *disk;
	int64_t done, total;
	int64_t first_done;	/* at first_ms: for the rate */
	long long first_ms, last_ms;
};

struct pjob {
	bool used;
	char *name;
	long long start_ms, step_ms;
	int id, total;
	char *kind, *title, *wait;
	struct pdisk disks[MAX_DISKS];
	size_t ndisks;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static enum progress_mode mode = PROGRESS_NONE;
static struct pjob jobs[PROGRESS_SLOTS];
static int rec_fd = -1;
static int drawn;		/* lines of the status area on screen */
static long long last_out;	/* clock_ms() of the last output */
static pthread_t ticker;
static bool ticking;
static volatile int stop_ticker;

/* ---- the table ---- */

static void
job_clear(struct pjob *j)
{
	size_t i;

	free(j->name);
	free(j->kind);
	free(j->title);
	free(j->wait);
	for (i = 0; i < j->ndisks; i++) {
		free(j->disks[i].vm);
		free(j->disks[i].disk);
	}
	memset(j, 0, sizeof(*j));
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s && *s ? xstrdup(s) : NULL;
}

static void
job_step(struct pjob *j, int id, int total, const char *kind,
	 const char *title)
{
	j->id = id;
	j->total = total;
	j->step_ms = clock_ms();
	set_str(&j->kind, kind);
	set_str(&j->title, title);
	set_str(&j->wait, NULL);
}

static void
job_copy(struct pjob *j, const char *vm, const char *disk, int64_t done,
	 int64_t total)
{
	struct pdisk *d = NULL;
	long long now = clock_ms();
	size_t i;

	for (i = 0; i < j->ndisks && d == NULL; i++)
		if (str_eq(j->disks[i].vm, vm) && str_eq(j->disks[i].disk, disk))
			d = &j->disks[i];
	if (d == NULL) {
		if (j->ndisks == MAX_DISKS) {
			free(j->disks[0].vm);
			free(j->disks[0].disk);
			memmove(j->disks, j->disks + 1,
				(MAX_DISKS - 1) * sizeof(*d));
			j->ndisks--;
		}
		d = &j->disks[j->ndisks++];
		memset(d, 0, sizeof(*d));
		d->vm = xstrdup(vm ? vm : "?");
		d->disk = xstrdup(disk ? disk : "?");
		d->first_ms = now;
		d->first_done = done;
	}
	d->done = done;
	d->total = total;
	d->last_ms = now;
}

/* ---- what a job's lines say ---- */

static void
add_size(struct strbuf *sb, int64_t b)
{
	double gib = (double)b / (1024.0 * 1024 * 1024);

	if (gib >= 1.0)
		strbuf_addf(sb, "%.1f GiB", gib);
	else
		strbuf_addf(sb, "%.0f MiB", (double)b / (1024.0 * 1024));
}

/* "vm0 disk 1: 12.0 GiB of 30.0 GiB (40%), 450 MiB/s, ETA 41s" */
static void
disk_line(struct strbuf *sb, const struct pdisk *d)
{
	long long dt = d->last_ms - d->first_ms;
	double rate = dt > 0 ? (double)(d->done - d->first_done) * 1000.0 /
			       (double)dt : 0.0;
	char eta[FMT_TIME_LEN];

	strbuf_addf(sb, "%s %s: ", d->vm, d->disk);
	add_size(sb, d->done);
	if (d->total > 0) {
		strbuf_adds(sb, " of ");
		add_size(sb, d->total);
		strbuf_addf(sb, " (%d%%)", (int)(d->done * 100 / d->total));
	}
	if (rate > 0) {
		strbuf_addf(sb, ", %.0f MiB/s", rate / (1024.0 * 1024));
		if (d->total > d->done)
			strbuf_addf(sb, ", ETA %s", fmt_duration(eta,
				    sizeof(eta), (long long)((double)(d->total -
				    d->done) * 1000.0 / rate)));
	}
}

/* "step 7/16 migrate: migrate 1 plan (2m03s of 5m40s)" */
static void
step_line(struct strbuf *sb, const struct pjob *j, long long now)
{
	char a[FMT_TIME_LEN], b[FMT_TIME_LEN];

	if (j->kind)
		strbuf_addf(sb, "step %d/%d %s: %s (%s, running %s)", j->id,
			    j->total, j->kind, j->title ? j->title : "",
			    fmt_duration(a, sizeof(a), now - j->step_ms),
			    fmt_duration(b, sizeof(b), now - j->start_ms));
	else
		strbuf_addf(sb, "starting (running %s)",
			    fmt_duration(b, sizeof(b), now - j->start_ms));
	if (j->wait)
		strbuf_addf(sb, "; waiting for %s", j->wait);
}

/* Disks copied lately (the last SHOW_DISKS of them). */
static size_t
first_shown(const struct pjob *j)
{
	return j->ndisks > SHOW_DISKS ? j->ndisks - SHOW_DISKS : 0;
}

/* ---- the terminal ---- */

static int
term_cols(void)
{
	struct winsize ws;

	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

static void
put_line(struct strbuf *out, const char *line, int cols)
{
	char *red = redact(line);
	int len = (int)strlen(red);

	strbuf_addf(out, "%.*s\033[K\n", len < cols ? len : cols - 1, red);
	free(red);
	drawn++;
}

static void
area_clear(struct strbuf *out)
{
	if (drawn > 0)
		strbuf_addf(out, "\r\033[%dA\033[J", drawn);
	drawn = 0;
}

static void
area_draw(struct strbuf *out)
{
	long long now = clock_ms();
	int cols = term_cols(), s;

	for (s = 0; s < PROGRESS_SLOTS; s++) {
		struct pjob *j = &jobs[s];
		struct strbuf l = STRBUF_INIT;
		size_t i;

		if (!j->used)
			continue;
		strbuf_addf(&l, "%s%s%s", j->name ? "[" : "",
			    j->name ? j->name : "", j->name ? "] " : "");
		step_line(&l, j, now);
		put_line(out, strbuf_str(&l), cols);
		for (i = first_shown(j); i < j->ndisks; i++) {
			strbuf_release(&l);
			strbuf_adds(&l, "    ");
			disk_line(&l, &j->disks[i]);
			put_line(out, strbuf_str(&l), cols);
		}
		strbuf_release(&l);
	}
}

static void
out_write(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(2, s, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		len -= (size_t)w;
	}
}

/* Redraw (lock held). */
static void
redraw(void)
{
	struct strbuf out = STRBUF_INIT;

	area_clear(&out);
	area_draw(&out);
	out_write(strbuf_str(&out), out.len);
	strbuf_release(&out);
}

/* ---- the heartbeat ---- */

static long long
heartbeat_ms(void)
{
	const char *e = getenv("MTV_SCENARIO_HEARTBEAT_S");
	long v = e ? strtol(e, NULL, 10) : 0;

	return (v > 0 ? v : PROGRESS_HEARTBEAT_S) * 1000LL;
}

/* One line per running job: "2026-12-06T10:02:11Z [name] step ...". */
static void
beat(void)
{
	long long now = clock_ms();
	char ts[FMT_TIME_LEN], *red;
	int s;

	fmt_instant(ts, sizeof(ts), clock_wall_ms() / 1000);
	for (s = 0; s < PROGRESS_SLOTS; s++) {
		struct pjob *j = &jobs[s];
		struct strbuf l = STRBUF_INIT;
		size_t i;

		if (!j->used)
			continue;
		strbuf_addf(&l, "%s %s%s%s", ts, j->name ? "[" : "",
			    j->name ? j->name : "", j->name ? "] " : "");
		step_line(&l, j, now);
		for (i = first_shown(j); i < j->ndisks; i++) {
			strbuf_adds(&l, "; ");
			disk_line(&l, &j->disks[i]);
		}
		strbuf_addc(&l, '\n');
		red = redact(strbuf_str(&l));
		fflush(stdout);
		out_write(red, strlen(red));
		free(red);
		strbuf_release(&l);
	}
	last_out = now;
}

void
progress_tick(void)
{
	pthread_mutex_lock(&lock);
	if (mode == PROGRESS_TTY)
		redraw();
	else if (mode == PROGRESS_PLAIN &&
		 clock_ms() - last_out >= heartbeat_ms())
		beat();
	pthread_mutex_unlock(&lock);
}

void
progress_print(FILE *fp, const char *text)
{
	pthread_mutex_lock(&lock);
	if (mode == PROGRESS_TTY && drawn > 0) {
		struct strbuf out = STRBUF_INIT;

		area_clear(&out);
		out_write(strbuf_str(&out), out.len);
		strbuf_release(&out);
	}
	if (fputs(text, fp) == EOF && errno == EPIPE)
		log_console_lost();
	fflush(fp);
	last_out = clock_ms();
	if (mode == PROGRESS_TTY)
		redraw();
	pthread_mutex_unlock(&lock);
}

static void *
tick_main(void *arg)
{
	sigset_t set;

	(void)arg;
	/* the run's signals are the runner's watcher's (exec/run.c) */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (!stop_ticker) {
		struct timespec ts = { 0, 250 * 1000000L };
		static int n;

		nanosleep(&ts, NULL);
		if (++n % 4 == 0)
			progress_tick();
	}
	return NULL;
}

static void
console_writer(FILE *fp, const char *text)
{
	progress_print(fp, text);
}

int
progress_mode_parse(enum progress_mode *out, const char *s)
{
	const char *term = getenv("TERM");

	if (s == NULL || str_eq(s, "auto"))
		*out = isatty(2) && !(term && str_eq(term, "dumb")) ?
		       PROGRESS_TTY : PROGRESS_PLAIN;
	else if (str_eq(s, "tty"))
		*out = PROGRESS_TTY;
	else if (str_eq(s, "plain"))
		*out = PROGRESS_PLAIN;
	else if (str_eq(s, "none"))
		*out = PROGRESS_NONE;
	else
		return MTV_EINVAL;
	return 0;
}

void
progress_start(enum progress_mode m, bool tick, int fd)
{
	pthread_mutex_lock(&lock);
	mode = m;
	rec_fd = fd;
	drawn = 0;	/* a child of run -j: the area is its parent's */
	last_out = clock_ms();
	pthread_mutex_unlock(&lock);
	log_set_console_writer(m == PROGRESS_TTY || m == PROGRESS_PLAIN ?
			       console_writer : NULL);
	if (tick && (m == PROGRESS_TTY || m == PROGRESS_PLAIN)) {
		stop_ticker = 0;
		ticking = pthread_create(&ticker, NULL, tick_main, NULL) == 0;
	}
}

void
progress_stop(void)
{
	struct strbuf out = STRBUF_INIT;
	int s;

	if (ticking) {
		stop_ticker = 1;
		pthread_join(ticker, NULL);
		ticking = false;
	}
	log_set_console_writer(NULL);
	pthread_mutex_lock(&lock);
	if (mode == PROGRESS_TTY) {
		area_clear(&out);
		out_write(strbuf_str(&out), out.len);
	}
	for (s = 0; s < PROGRESS_SLOTS; s++)
		job_clear(&jobs[s]);
	mode = PROGRESS_NONE;
	rec_fd = -1;
	pthread_mutex_unlock(&lock);
	strbuf_release(&out);
}

/* ---- jobs ---- */

void
progress_job_begin(int slot, const char *name)
{
	if (slot < 0 || slot >= PROGRESS_SLOTS)
		return;
	pthread_mutex_lock(&lock);
	job_clear(&jobs[slot]);
	jobs[slot].used = true;
	jobs[slot].name = name ? xstrdup(name) : NULL;
	jobs[slot].start_ms = clock_ms();
	pthread_mutex_unlock(&lock);
}

void
progress_job_end(int slot)
{
	if (slot < 0 || slot >= PROGRESS_SLOTS)
		return;
	pthread_mutex_lock(&lock);
	job_clear(&jobs[slot]);
	if (mode == PROGRESS_TTY)
		redraw();
	pthread_mutex_unlock(&lock);
}

/* Split a record at tabs into at most max fields (in place). */
static size_t
fields(char *s, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = s;
		s = strchr(s, '\t');
		if (s == NULL)
			break;
		*s++ = '\0';
	}
	return n;
}

void
progress_job_feed(int slot, const char *record)
{
	char *r, *f[6];
	size_t n;

	if (slot < 0 || slot >= PROGRESS_SLOTS)
		return;
	r = xstrdup(record);
	n = fields(r, f, 6);
	pthread_mutex_lock(&lock);
	if (!jobs[slot].used) {
		/* a record of a job not begun: nothing to show it in */
	} else if (str_eq(f[0], "step") && n == 5) {
		job_step(&jobs[slot], atoi(f[1]), atoi(f[2]), f[3], f[4]);
	} else if (str_eq(f[0], "copy") && n == 5) {
		job_copy(&jobs[slot], f[1], f[2], strtoll(f[3], NULL, 10),
			 strtoll(f[4], NULL, 10));
	} else if (str_eq(f[0], "wait") && n == 2) {
		set_str(&jobs[slot].wait, f[1]);
	}
	pthread_mutex_unlock(&lock);
	free(r);
}

/* ---- the steps' side ---- */

/* A record to run -j's parent: fields joined by tabs (none inside),
 * one write (short: atomic on a pipe). */
static void
record(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	ssize_t w;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addc(&sb, '\n');
	if (sb.len < 4096)
		w = write(rec_fd, strbuf_str(&sb), sb.len);
	else
		w = 0;
	(void)w;
	strbuf_release(&sb);
}

/* A copy of s without tabs or newlines (caller frees). */
static char *
field(const char *s)
{
	char *c = xstrdup(s ? s : ""), *p;

	for (p = c; *p; p++)
		if (*p == '\t' || *p == '\n')
			*p = ' ';
	return c;
}

void
progress_step(int id, int total, const char *kind, const char *title)
{
	char *k = field(kind), *t = field(title);

	log_info("[%2d/%d] %-11s %s", id, total, k, t);
	pthread_mutex_lock(&lock);
	if (mode == PROGRESS_RECORDS)
		record("step\t%d\t%d\t%s\t%s", id, total, k, t);
	else
		job_step(&jobs[0], id, total, k, t);
	pthread_mutex_unlock(&lock);
	free(k);
	free(t);
}

void
progress_step_end(int id, int rc)
{
	(void)id;
	(void)rc;
}

void
progress_copy(const char *vm, const char *disk, int64_t done, int64_t total)
{
	char *v = field(vm), *d = field(disk);

	log_debug("copy of %s disk %s: %lld of %lld bytes", v, d,
		  (long long)done, (long long)total);
	pthread_mutex_lock(&lock);
	if (mode == PROGRESS_RECORDS)
		record("copy\t%s\t%s\t%lld\t%lld", v, d, (long long)done,
		       (long long)total);
	else if (jobs[0].used)
		job_copy(&jobs[0], v, d, done, total);
	pthread_mutex_unlock(&lock);
	free(v);
	free(d);
}

void
progress_wait(const char *what)
{
	char *w = what ? field(what) : NULL;

	if (what)
		log_debug("waiting for %s", what);
	pthread_mutex_lock(&lock);
	if (mode == PROGRESS_RECORDS)
		record("wait\t%s", w ? w : "");
	else if (jobs[0].used)
		set_str(&jobs[0].wait, w);
	pthread_mutex_unlock(&lock);
	free(w);
}
