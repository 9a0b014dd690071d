/* progress.c: the run's current activity (see progress.h). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/progress.h"
#include "util/util.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *wait_what;

void
progress_step(int id, int total, const char *kind, const char *title)
{
	log_info("[%2d/%d] %-11s %s", id, total, kind ? kind : "",
		 title ? title : "");
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
	log_debug("copy of %s disk %s: %lld of %lld bytes", vm, disk,
		  (long long)done, (long long)total);
}

void
progress_wait(const char *what)
{
	pthread_mutex_lock(&lock);
	free(wait_what);
	wait_what = what ? xstrdup(what) : NULL;
	pthread_mutex_unlock(&lock);
	if (what)
		log_debug("waiting for %s", what);
}
