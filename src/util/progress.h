/* progress.h: what a run is doing now. Steps, waits and copies report here;
 * the live status area (a terminal) or the heartbeat (not a terminal,
 * --progress=plain) shows it. Thread-safe: steps of one scenario run in
 * threads of their own. */
#ifndef MTV_UTIL_PROGRESS_H
#define MTV_UTIL_PROGRESS_H

#include <stdint.h>

/* A step starts (id of total; kind, e.g. "migrate"; title). */
void progress_step(int id, int total, const char *kind, const char *title);
/* A step ended (rc 0 or an mtv_errcode). */
void progress_step_end(int id, int rc);
/* Copy progress of one disk of a VM during a migration: bytes done of
 * total (0: unknown), as the Plan status or the populator CR says. */
void progress_copy(const char *vm, const char *disk, int64_t done,
		   int64_t total);
/* What a long wait waits for ("guest of vm0", "Plan plan-x Succeeded");
 * NULL: nothing. */
void progress_wait(const char *what);

#endif
