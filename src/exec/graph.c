/* graph.c: worker pools and the scheduler of a plan's step graph (see
 * graph.h). Only the calling thread starts steps and sees them end; the
 * workers run them and queue them as done. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/graph.h"
#include "util/json.h"

/* ---- pools ---- */

struct pool_job {
	void (*fn)(void *);
	void *arg;
	struct pool_job *next;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	struct pool_job *head, *tail;
	size_t max, nthreads, idle, queued;
	size_t ending;		/* threads whose job said it is ending */
	pthread_t *tids;
	bool closing;
};

/* The pool of this thread's job, and whether the job said it is ending. */
static __thread struct pool *cur_pool;
static __thread bool cur_ending;

/* The job of this thread is about to wake whoever submits the next one:
 * count its thread as free, so that the next job does not get a new
 * thread (and its own vSphere and cluster logins). */
static void
pool_job_ending(void)
{
	struct pool *p = cur_pool;

	if (p == NULL || cur_ending)
		return;
	pthread_mutex_lock(&p->lock);
	p->ending++;
	cur_ending = true;
	pthread_mutex_unlock(&p->lock);
}

static void *
pool_main(void *arg)
{
	struct pool *p = arg;
	struct pool_job *j;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->head == NULL && !p->closing) {
			p->idle++;
			pthread_cond_wait(&p->cv, &p->lock);
			p->idle--;
		}
		if ((j = p->head) == NULL)
			break;
		p->head = j->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->queued--;
		pthread_mutex_unlock(&p->lock);
		cur_pool = p;
		j->fn(j->arg);
		cur_pool = NULL;
		free(j);
		pthread_mutex_lock(&p->lock);
		if (cur_ending) {
			p->ending--;
			cur_ending = false;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct pool *
pool_new(size_t max)
{
	struct pool *p = xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->max = max ? max : 1;
	p->tids = xcalloc(p->max, sizeof(*p->tids));
	return p;
}

void
pool_submit(struct pool *p, void (*fn)(void *), void *arg)
{
	struct pool_job *j = xcalloc(1, sizeof(*j));
	bool inline_run = false;

	j->fn = fn;
	j->arg = arg;
	pthread_mutex_lock(&p->lock);
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	/* a new thread only when the idle ones cannot take the work */
	if (p->queued > p->idle + p->ending && p->nthreads < p->max) {
		if (pthread_create(&p->tids[p->nthreads], NULL, pool_main,
				   p) == 0)
			p->nthreads++;
		else if (p->nthreads == 0)
			inline_run = true;
	}
	if (inline_run) {
		p->head = p->tail = NULL;
		p->queued--;
	}
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->lock);
	if (inline_run) {
		fn(arg);
		free(j);
	}
}

struct call {
	void (*fn)(void *);
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t cv;
	bool done;
};

static void
call_main(void *arg)
{
	struct call *c = arg;

	c->fn(c->arg);
	pool_job_ending();
	pthread_mutex_lock(&c->lock);
	c->done = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->lock);
}

void
pool_call(struct pool *p, void (*fn)(void *), void *arg)
{
	struct call c = { fn, arg, PTHREAD_MUTEX_INITIALIZER,
			  PTHREAD_COND_INITIALIZER, false };

	if (p == NULL) {
		fn(arg);
		return;
	}
	pool_submit(p, call_main, &c);
	pthread_mutex_lock(&c.lock);
	while (!c.done)
		pthread_cond_wait(&c.cv, &c.lock);
	pthread_mutex_unlock(&c.lock);
	pthread_cond_destroy(&c.cv);
	pthread_mutex_destroy(&c.lock);
}

void
pool_free(struct pool *p)
{
	size_t i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->closing = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->tids[i], NULL);
	free(p->tids);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* ---- the graph ---- */

enum { GN_WAITING, GN_RUNNING, GN_OK, GN_FAILED, GN_SKIPPED };

int
graph_side(const struct gnode *n)
{
	return n->kind->flags & STEP_SOURCE ? GRAPH_SOURCE : GRAPH_CLUSTER;
}

/* The bound n counts against. */
static int
bound(const struct gnode *n)
{
	if ((n->kind->flags & (STEP_SOURCE | STEP_WAITS)) ==
	    (STEP_SOURCE | STEP_WAITS))
		return GRAPH_WAIT;
	return graph_side(n);
}

int
graph_links(struct gnode *v, size_t n, struct mtv_err *err)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		json_object *a = jget(v[i].step, "after");

		v[i].state = GN_WAITING;
		if (a == NULL) {
			v[i].nafter = i > 0;
			v[i].after = xcalloc(1, sizeof(*v[i].after));
			v[i].after[0] = i - 1;
			continue;
		}
		v[i].after = xcalloc(jlen(a) + 1, sizeof(*v[i].after));
		for (k = 0; k < jlen(a); k++) {
			long long id = json_object_get_int64(
				json_object_array_get_idx(a, k));

			for (j = 0; j < i && jint(v[j].step, "id") != id; j++)
				;
			if (j == i)
				return err_set(err, MTV_EINTERNAL, "step %lld "
					       "waits for %lld, which is not an "
					       "earlier step",
					       jint(v[i].step, "id"), id);
			v[i].after[v[i].nafter++] = j;
		}
	}
	return 0;
}

void
graph_release(struct gnode *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].after);
		v[i].after = NULL;
		v[i].nafter = 0;
	}
}

/* What the workers share with the scheduling thread. */
struct sched {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	size_t *done;			/* indexes in the order steps ended */
	size_t ndone;
	struct gnode *v;
	const struct graph_ops *ops;
};

struct task {
	struct sched *s;
	size_t idx;
};

static void
task_main(void *arg)
{
	struct task *t = arg;
	struct sched *s = t->s;

	s->ops->exec(s->ops->arg, &s->v[t->idx]);
	pool_job_ending();
	pthread_mutex_lock(&s->lock);
	s->done[s->ndone++] = t->idx;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->lock);
}

/* Is every step n waits for done? */
static bool
ready(const struct gnode *v, const struct gnode *n)
{
	size_t k;

	for (k = 0; k < n->nafter; k++)
		if (v[n->after[k]].state != GN_OK &&
		    v[n->after[k]].state != GN_SKIPPED)
			return false;
	return true;
}

/* Start what can start; true when a step started or was skipped. Sets
 * *stopping when ops->stop says so. */
static bool
start_ready(struct sched *s, size_t n, struct task *tasks,
	    struct pool *const *pools, const size_t *limit, size_t *running,
	    bool *stopping)
{
	const struct graph_ops *ops = s->ops;
	bool any = false, again = true;
	size_t i;

	while (again && !*stopping) {
		again = false;
		for (i = 0; i < n && !*stopping; i++) {
			struct gnode *g = &s->v[i];
			int b = bound(g);

			if (g->state != GN_WAITING || !ready(s->v, g))
				continue;
			if (g->skip) {
				g->state = GN_SKIPPED;
				ops->skipped(ops->arg, g);
				any = again = true;
				continue;
			}
			if (running[b] >= limit[b])
				continue;
			if (ops->stop(ops->arg)) {
				*stopping = true;
				break;
			}
			g->state = GN_RUNNING;
			running[b]++;
			ops->started(ops->arg, g);
			tasks[i].s = s;
			tasks[i].idx = i;
			pool_submit(pools[graph_side(g)], task_main, &tasks[i]);
			any = true;
		}
	}
	return any;
}

/* Wait up to 200 ms for a step to end (lock held). */
static void
wait_some(struct sched *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 200 * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&s->cv, &s->lock, &ts);
}

void
graph_run(struct gnode *v, size_t n, struct pool *const *pools,
	  const size_t *limit, const struct graph_ops *ops)
{
	struct sched s = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			   NULL, 0, v, ops };
	struct task *tasks = xcalloc(n + 1, sizeof(*tasks));
	size_t running[GRAPH_BOUNDS] = { 0 }, rd = 0;
	bool stopping = false, moved;

	s.done = xcalloc(n + 1, sizeof(*s.done));
	pthread_mutex_lock(&s.lock);
	for (;;) {
		moved = false;
		while (rd < s.ndone) {
			struct gnode *g = &v[s.done[rd++]];

			pthread_mutex_unlock(&s.lock);
			g->state = g->rc ? GN_FAILED : GN_OK;
			running[bound(g)]--;
			ops->ended(ops->arg, g);
			stopping |= g->rc != 0;
			moved = true;
			pthread_mutex_lock(&s.lock);
		}
		pthread_mutex_unlock(&s.lock);
		if (!stopping)
			moved |= start_ready(&s, n, tasks, pools, limit,
					     running, &stopping);
		pthread_mutex_lock(&s.lock);
		if (running[GRAPH_SOURCE] + running[GRAPH_CLUSTER] +
		    running[GRAPH_WAIT] == 0 &&
		    rd == s.ndone && !moved)
			break;
		if (rd == s.ndone && !moved)
			wait_some(&s);
	}
	pthread_mutex_unlock(&s.lock);
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.lock);
	free(s.done);
	free(tasks);
}
