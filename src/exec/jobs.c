/* jobs.c: run jobs side by side, each in a process of its own (jobs.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/jobs.h"
#include "util/json.h"
#include "util/progress.h"
#include "util/util.h"

enum { OUT, ERR, PROG, NFD };

struct slot {
	pid_t pid;		/* 0: free */
	size_t job;
	int fd[NFD];		/* read ends; -1 once at EOF */
	struct strbuf part[NFD];/* a line not yet whole */
	char *result;		/* the file the child writes its result to */
};

struct sched {
	const struct exec_job *jobs;
	size_t n, *order;
	const struct exec_jobs_ops *ops;
	struct slot *slots;
	int nslots, running;
	bool *started;
	char *dir;		/* the results' folder */
	bool stop;		/* start no more */
};

static const int job_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NSIG_JOBS (sizeof(job_signals) / sizeof(job_signals[0]))
static volatile sig_atomic_t pending[NSIG_JOBS];
static volatile sig_atomic_t got_signal;
static int wake_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;
	size_t i;
	ssize_t w;

	for (i = 0; i < NSIG_JOBS; i++)
		if (job_signals[i] == sig)
			pending[i] = 1;
	got_signal = 1;
	w = write(wake_pipe[1], "s", 1);
	(void)w;
	errno = saved;
}

void
exec_jobs_order(size_t *out, const struct exec_job *jobs, size_t n)
{
	size_t i, k, m = 0;

	/* insertion sort, stable: exclusive first, then longest first */
	for (i = 0; i < n; i++) {
		for (k = m; k > 0; k--) {
			const struct exec_job *a = &jobs[out[k - 1]],
					      *b = &jobs[i];

			if (a->exclusive > b->exclusive ||
			    (a->exclusive == b->exclusive &&
			     a->estimate_ms >= b->estimate_ms))
				break;
			out[k] = out[k - 1];
		}
		out[k] = i;
		m++;
	}
}

/* Does job j hold a lock one of the running jobs holds? */
static bool
locked(const struct sched *s, const struct exec_job *j)
{
	int k;
	size_t i;

	for (k = 0; k < s->nslots; k++) {
		const struct exec_job *o;

		if (s->slots[k].pid == 0)
			continue;
		o = &s->jobs[s->slots[k].job];
		if (o->exclusive || j->exclusive)
			return true;
		for (i = 0; i < jlen(j->locks); i++)
			if (jarr_has(o->locks, json_object_get_string(
			    json_object_array_get_idx(j->locks, i))))
				return true;
	}
	return false;
}

static void
close_fds(struct slot *sl)
{
	int f;

	for (f = 0; f < NFD; f++) {
		if (sl->fd[f] >= 0)
			close(sl->fd[f]);
		sl->fd[f] = -1;
	}
}

/* In the child: become job i and never return. */
static void
child_main(struct sched *s, struct slot *sl, int w[NFD])
{
	json_object *res;
	char *prefix = xasprintf("[%s] ", s->jobs[sl->job].name);
	struct mtv_err err = { 0 };
	size_t i;
	int k;

	setpgid(0, 0);
	for (k = 0; k < s->nslots; k++)
		if (&s->slots[k] != sl && s->slots[k].pid)
			close_fds(&s->slots[k]);
	close_fds(sl);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	dup2(w[OUT], 1);
	dup2(w[ERR], 2);
	close(w[OUT]);
	close(w[ERR]);
	for (i = 0; i < NSIG_JOBS; i++)
		signal(job_signals[i], SIG_DFL);
	progress_start(PROGRESS_RECORDS, false, w[PROG]);
	log_set_file_prefix(prefix);
	res = s->ops->run(sl->job, s->ops->arg);
	if (res) {
		char *red = redact(json_object_to_json_string_ext(res,
				   JSON_C_TO_STRING_PLAIN));

		if (file_write(sl->result, red, strlen(red), &err) != 0)
			log_error("%s", err.msg);
		free(red);
	}
	json_object_put(res);
	fflush(NULL);
	_exit(res ? 0 : 3);
}

/* Start job i in a free slot; false when the system refused. */
static bool
start(struct sched *s, size_t i)
{
	struct slot *sl = NULL;
	int p[NFD][2], k, f;

	for (k = 0; k < s->nslots && sl == NULL; k++)
		if (s->slots[k].pid == 0)
			sl = &s->slots[k];
	for (f = 0; f < NFD; f++)
		if (pipe(p[f]) != 0) {
			while (f-- > 0) {
				close(p[f][0]);
				close(p[f][1]);
			}
			return false;
		}
	sl->job = i;
	free(sl->result);
	sl->result = xasprintf("%s/%zu.json", s->dir, i);
	for (f = 0; f < NFD; f++) {
		sl->fd[f] = p[f][0];
		strbuf_release(&sl->part[f]);
	}
	fflush(NULL);
	sl->pid = fork();
	if (sl->pid == 0) {
		int w[NFD] = { p[OUT][1], p[ERR][1], p[PROG][1] };

		child_main(s, sl, w);
	}
	for (f = 0; f < NFD; f++)
		close(p[f][1]);
	if (sl->pid < 0) {
		sl->pid = 0;
		close_fds(sl);
		return false;
	}
	setpgid(sl->pid, sl->pid);
	s->running++;
	s->started[i] = true;
	progress_job_begin((int)(sl - s->slots), s->jobs[i].name);
	log_verbose("started %s (pid %ld)", s->jobs[i].name, (long)sl->pid);
	return true;
}

/* Start what may start now: in order, skipping jobs whose locks are
 * held; nothing passes an exclusive job waiting for the others. */
static void
start_more(struct sched *s)
{
	size_t k;

	for (k = 0; k < s->n && !s->stop && s->running < s->nslots; k++) {
		size_t i = s->order[k];

		if (s->started[i])
			continue;
		if (locked(s, &s->jobs[i])) {
			if (s->jobs[i].exclusive)
				return;
			continue;
		}
		if (!start(s, i)) {
			log_error("cannot start '%s': %s", s->jobs[i].name,
				  strerror(errno));
			s->stop = true;
		}
	}
}

/* A whole line of slot sl's fd f: printed with its prefix, or fed. */
static void
line(struct sched *s, struct slot *sl, int f, const char *text)
{
	char *out;

	if (f == PROG) {
		progress_job_feed((int)(sl - s->slots), text);
		return;
	}
	out = xasprintf("[%s] %s\n", s->jobs[sl->job].name, text);
	progress_print(f == OUT ? stdout : stderr, out);
	free(out);
}

/* Read what fd f of sl has; print the whole lines. */
static void
drain(struct sched *s, struct slot *sl, int f)
{
	char buf[4096];
	ssize_t r = read(sl->fd[f], buf, sizeof(buf));
	struct strbuf *pt = &sl->part[f];
	char *nl;

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		if (pt->len)
			line(s, sl, f, strbuf_str(pt));
		strbuf_release(pt);
		close(sl->fd[f]);
		sl->fd[f] = -1;
		return;
	}
	strbuf_add(pt, buf, (size_t)r);
	while ((nl = memchr(pt->buf, '\n', pt->len)) != NULL) {
		size_t len = (size_t)(nl - pt->buf);
		char *l = xstrndup(pt->buf, len);

		line(s, sl, f, l);
		free(l);
		memmove(pt->buf, nl + 1, pt->len - len - 1);
		pt->len -= len + 1;
		pt->buf[pt->len] = '\0';
	}
}

/* A child whose output ended: wait for it, hand its result over. */
static void
reap(struct sched *s, struct slot *sl)
{
	json_object *res = NULL;
	char *why = NULL, *text = NULL;
	struct mtv_err err = { 0 };
	int st = 0;

	while (waitpid(sl->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (file_read(&text, NULL, sl->result, 0, &err) == 0) {
		/* the evidence nests deeper than json-c's default allows */
		struct json_tokener *tok = json_tokener_new_ex(256);

		res = json_tokener_parse_ex(tok, text, -1);
		json_tokener_free(tok);
	}
	free(text);
	unlink(sl->result);
	if (res == NULL)
		why = WIFSIGNALED(st) ?
		      xasprintf("its process was killed by signal %d",
				WTERMSIG(st)) :
		      xasprintf("its process ended (exit %d) without a result",
				WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	progress_job_end((int)(sl - s->slots));
	sl->pid = 0;
	s->running--;
	if (s->ops->done(sl->job, res ? EXEC_JOB_DONE : EXEC_JOB_DIED, res,
			 why, s->ops->arg))
		s->stop = true;
	json_object_put(res);
	free(why);
}

/* Pass the signals that came on to every child. */
static bool
pass_signals(struct sched *s)
{
	bool any = false;
	size_t i;
	int k;

	got_signal = 0;
	for (i = 0; i < NSIG_JOBS; i++) {
		if (!pending[i])
			continue;
		pending[i] = 0;
		any = true;
		for (k = 0; k < s->nslots; k++)
			if (s->slots[k].pid > 0)
				kill(s->slots[k].pid, job_signals[i]);
	}
	return any;
}

/* One round: wait up to a second for output, signals or ends. */
static void
round_once(struct sched *s, struct pollfd *pfd, int (*who)[2])
{
	nfds_t n = 0, i;
	int k, f;
	char b[64];

	pfd[n].fd = wake_pipe[0];
	pfd[n++].events = POLLIN;
	for (k = 0; k < s->nslots; k++)
		for (f = 0; s->slots[k].pid && f < NFD; f++) {
			if (s->slots[k].fd[f] < 0)
				continue;
			who[n][0] = k;
			who[n][1] = f;
			pfd[n].fd = s->slots[k].fd[f];
			pfd[n++].events = POLLIN;
		}
	if (poll(pfd, n, 1000) > 0) {
		if (pfd[0].revents & POLLIN)
			while (read(wake_pipe[0], b, sizeof(b)) == sizeof(b))
				;
		for (i = 1; i < n; i++)
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				drain(s, &s->slots[who[i][0]], who[i][1]);
	}
	for (k = 0; k < s->nslots; k++) {
		struct slot *sl = &s->slots[k];

		if (sl->pid > 0 && sl->fd[OUT] < 0 && sl->fd[ERR] < 0 &&
		    sl->fd[PROG] < 0)
			reap(s, sl);
	}
	progress_tick();
}

static void
signals_catch(struct sigaction *old)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < NSIG_JOBS; i++) {
		pending[i] = 0;
		sigaction(job_signals[i], &sa, &old[i]);
	}
}

bool
exec_jobs(const struct exec_job *jobs, size_t n, int parallel,
	  const struct exec_jobs_ops *ops)
{
	struct sched s;
	struct sigaction old[NSIG_JOBS];
	struct pollfd *pfd;
	int (*who)[2];
	bool interrupted = false;
	char tmpl[] = "/tmp/mtv-jobs.XXXXXX";
	const char *td = getenv("TMPDIR");
	size_t i;
	int k;

	memset(&s, 0, sizeof(s));
	s.jobs = jobs;
	s.n = n;
	s.ops = ops;
	s.nslots = parallel < 1 ? 1 : parallel > PROGRESS_SLOTS ?
		   PROGRESS_SLOTS : parallel;
	s.slots = xcalloc((size_t)s.nslots, sizeof(*s.slots));
	for (k = 0; k < s.nslots; k++)
		s.slots[k].fd[OUT] = s.slots[k].fd[ERR] =
			s.slots[k].fd[PROG] = -1;
	s.order = xcalloc(n ? n : 1, sizeof(*s.order));
	s.started = xcalloc(n ? n : 1, sizeof(*s.started));
	exec_jobs_order(s.order, jobs, n);
	s.dir = td && *td ? xasprintf("%s/mtv-jobs.XXXXXX", td) : xstrdup(tmpl);
	pfd = xcalloc((size_t)s.nslots * NFD + 1, sizeof(*pfd));
	who = xcalloc((size_t)s.nslots * NFD + 1, sizeof(*who));
	if (mkdtemp(s.dir) == NULL || pipe(wake_pipe) != 0) {
		log_error("run -j: cannot make '%s': %s", s.dir,
			  strerror(errno));
		s.stop = true;
	} else {
		fcntl(wake_pipe[0], F_SETFL, O_NONBLOCK);
		fcntl(wake_pipe[1], F_SETFL, O_NONBLOCK);
	}
	signals_catch(old);
	for (;;) {
		if (got_signal && pass_signals(&s) && !interrupted) {
			interrupted = true;
			s.stop = true;
			log_warn("interrupted: %d scenario%s tearing down",
				 s.running, s.running == 1 ? "" : "s");
		}
		if (!interrupted && log_console_gone()) {
			interrupted = s.stop = true;
			pending[0] = 1;	/* SIGINT to everyone */
			pass_signals(&s);
		}
		start_more(&s);
		if (s.running == 0)
			break;
		round_once(&s, pfd, who);
	}
	for (i = 0; i < NSIG_JOBS; i++)
		sigaction(job_signals[i], &old[i], NULL);
	for (i = 0; i < n; i++)
		if (!s.started[i])
			ops->done(i, EXEC_JOB_NOT_RUN, NULL, NULL, ops->arg);
	if (wake_pipe[0] >= 0) {
		close(wake_pipe[0]);
		close(wake_pipe[1]);
		wake_pipe[0] = wake_pipe[1] = -1;
	}
	rmdir(s.dir);
	for (k = 0; k < s.nslots; k++) {
		free(s.slots[k].result);
		for (i = 0; i < NFD; i++)
			strbuf_release(&s.slots[k].part[i]);
	}
	free(s.slots);
	free(s.order);
	free(s.started);
	free(s.dir);
	free(pfd);
	free(who);
	return interrupted;
}
