/* replay.c: run the fuzz harness over files without libFuzzer, printing
 * TAP. Arguments are files or directories; none means
 * $srcdir/tests/fuzz/corpus. A crash or a sanitizer report fails the run. */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add(char ***v, size_t *n, char *path)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = path;
}

static void
collect(char ***v, size_t *n, const char *arg)
{
	struct stat st;
	struct dirent *e;
	DIR *d;

	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode) &&
	    (d = opendir(arg)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				add(v, n, xasprintf("%s/%s", arg, e->d_name));
		closedir(d);
		return;
	}
	add(v, n, xstrdup(arg));
}

int
main(int argc, char **argv)
{
	char **v = NULL, *dir = NULL, *buf = NULL;
	const char *src = getenv("srcdir");
	size_t n = 0, i, len = 0;
	struct mtv_err err = { 0 };
	int a, fails = 0;

	if (argc < 2) {
		dir =
		    xasprintf("%s/tests/fuzz/corpus", src && *src ? src : ".");
		collect(&v, &n, dir);
	}
	for (a = 1; a < argc; a++)
		collect(&v, &n, argv[a]);
	if (n)
		qsort(v, n, sizeof(*v), cmp);
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		if (file_read(&buf, &len, v[i], 0, &err) != 0) {
			printf("not ok %zu - %s: %s\n", i + 1, v[i], err.msg);
			fails++;
			continue;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		printf("ok %zu - %s\n", i + 1, v[i]);
		free(buf);
		free(v[i]);
	}
	free(v);
	free(dir);
	return fails ? 1 : 0;
}
