/* load.c: YAML (and JSON, which is YAML) -> json-c tree that remembers the
 * line and column of every value node and every mapping key.
 *
 * libyaml delivers events; we build the tree with an explicit stack so the
 * depth limit is ours, not the C stack's. Plain scalars follow the YAML 1.2
 * core schema (true/false, null/~, ints, floats); quoted and block scalars
 * stay strings, so "on" and "yes" are strings as in JSON. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "doc/doc.h"

#define DOC_MAX_BYTES (1024 * 1024)
#define DOC_MAX_DEPTH 64
/* Total nodes a document may produce, aliases expanded ("billion laughs"). */
#define DOC_MAX_NODES 200000

/* One position: of a node (key NULL) or of a key inside a mapping. */
struct pos {
	const void *node;
	char *key;
	int line, col;
};

struct mtv_doc {
	char *name;
	json_object *root;
	struct pos *tab; /* open addressing, cap a power of two */
	size_t n, cap;
};

struct anchor {
	char *name;
	json_object *node; /* borrowed from the tree */
	size_t nodes;	   /* size of the subtree */
};

struct frame {
	json_object *obj; /* object or array being filled */
	bool is_map;
	char *key; /* pending mapping key, or NULL */
	int kline, kcol;
	bool dup; /* the pending key is a duplicate: drop value */
	char *anchor;
	size_t nodes; /* nodes in this collection so far */
	int line, col;
};

struct loader {
	struct mtv_doc *doc;
	struct mtv_diags *diags;
	struct frame stack[DOC_MAX_DEPTH + 1];
	int depth;
	struct anchor *anchors;
	size_t nanchors;
	size_t nodes; /* total nodes produced */
	json_object
	    *graveyard; /* values of duplicate keys (aliases may point there) */
	int ndocs;
	bool failed; /* an error was reported (keep going if we can) */
};

static size_t
pos_hash(const void *node, const char *key)
{
	size_t h = (size_t)(uintptr_t)node * 0x9e3779b97f4a7c15ULL;

	if (key)
		for (; *key; key++)
			h = (h ^ (unsigned char)*key) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static struct pos *
pos_find(const struct mtv_doc *doc, const void *node, const char *key)
{
	size_t i;

	if (doc->cap == 0)
		return NULL;
	i = pos_hash(node, key) & (doc->cap - 1);
	for (;;) {
		struct pos *p = &doc->tab[i];

		if (p->node == NULL)
			return NULL;
		if (p->node == node && str_eq(p->key, key))
			return p;
		i = (i + 1) & (doc->cap - 1);
	}
}

static void pos_set(struct mtv_doc *doc, const void *node, const char *key,
		    int line, int col);

static void
pos_grow(struct mtv_doc *doc)
{
	struct pos *old = doc->tab;
	size_t oldcap = doc->cap, i;

	doc->cap = oldcap ? oldcap * 2 : 256;
	doc->tab = xcalloc(doc->cap, sizeof(*doc->tab));
	doc->n = 0;
	for (i = 0; i < oldcap; i++) {
		if (old[i].node == NULL)
			continue;
		pos_set(doc, old[i].node, old[i].key, old[i].line, old[i].col);
		free(old[i].key);
	}
	free(old);
}

static void
pos_set(struct mtv_doc *doc, const void *node, const char *key, int line,
	int col)
{
	struct pos *p;
	size_t i;

	if (node == NULL)
		return;
	if ((doc->n + 1) * 4 >= doc->cap * 3)
		pos_grow(doc);
	i = pos_hash(node, key) & (doc->cap - 1);
	for (;;) {
		p = &doc->tab[i];
		if (p->node == NULL)
			break;
		if (p->node == node && str_eq(p->key, key)) {
			p->line = line;
			p->col = col;
			return;
		}
		i = (i + 1) & (doc->cap - 1);
	}
	p->node = node;
	p->key = key ? xstrdup(key) : NULL;
	p->line = line;
	p->col = col;
	doc->n++;
}

json_object *
doc_root(const struct mtv_doc *doc)
{
	return doc ? doc->root : NULL;
}

const char *
doc_name(const struct mtv_doc *doc)
{
	return doc ? doc->name : NULL;
}

bool
doc_loc(const struct mtv_doc *doc, const json_object *node, int *line, int *col)
{
	const struct pos *p;

	if (doc == NULL || node == NULL)
		return false;
	p = pos_find(doc, node, NULL);
	if (p == NULL)
		return false;
	*line = p->line;
	*col = p->col;
	return true;
}

bool
doc_key_loc(const struct mtv_doc *doc, const json_object *obj, const char *key,
	    int *line, int *col)
{
	const struct pos *p;

	if (doc == NULL || obj == NULL || key == NULL)
		return false;
	p = pos_find(doc, obj, key);
	if (p == NULL)
		return false;
	*line = p->line;
	*col = p->col;
	return true;
}

void
doc_free(struct mtv_doc *doc)
{
	size_t i;

	if (doc == NULL)
		return;
	for (i = 0; i < doc->cap; i++)
		free(doc->tab[i].key);
	free(doc->tab);
	json_object_put(doc->root);
	free(doc->name);
	free(doc);
}

/* ---- scalars ---- */

static bool
all_in(const char *s, const char *set)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (strchr(set, *s) == NULL)
			return false;
	return true;
}

static bool
is_float(const char *s)
{
	const char *p = s;
	bool digits = false;

	if (*p == '-' || *p == '+')
		p++;
	while (*p >= '0' && *p <= '9') {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

enum scalar_kind { SC_STR, SC_NULL, SC_BOOL, SC_INT, SC_FLOAT };

/* Resolve a scalar's text to a node following the YAML 1.2 core schema.
 * Returns false (and sets *why) when the text cannot be represented. */
static bool
scalar_node(json_object **out, const char *s, size_t len, bool plain,
	    const char *tag, const char **why)
{
	enum scalar_kind k = SC_STR;
	const char *d;
	char *end = NULL;
	long long v;
	double f;

	*out = NULL;
	if (tag && strcmp(tag, YAML_STR_TAG) == 0)
		plain = false;
	else if (tag && strcmp(tag, "!") == 0)
		plain = false;
	if (plain) {
		if (len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
		    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
			k = SC_NULL;
		else if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
			 strcmp(s, "TRUE") == 0 || strcmp(s, "false") == 0 ||
			 strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
			k = SC_BOOL;
		else {
			d = (*s == '-' || *s == '+') ? s + 1 : s;
			if (all_in(d, "0123456789") ||
			    (str_startswith(s, "0x") &&
			     all_in(s + 2, "0123456789abcdefABCDEF")) ||
			    (str_startswith(s, "0o") &&
			     all_in(s + 2, "01234567")))
				k = SC_INT;
			else if (is_float(s) || strcmp(d, ".inf") == 0 ||
				 strcmp(d, ".Inf") == 0 ||
				 strcmp(d, ".INF") == 0 ||
				 strcmp(s, ".nan") == 0 ||
				 strcmp(s, ".NaN") == 0 ||
				 strcmp(s, ".NAN") == 0)
				k = SC_FLOAT;
		}
	}
	if (tag && plain) {
		if (strcmp(tag, YAML_INT_TAG) == 0 && k != SC_INT) {
			*why = "not an integer";
			return false;
		}
		if (strcmp(tag, YAML_BOOL_TAG) == 0 && k != SC_BOOL) {
			*why = "not a boolean";
			return false;
		}
		if (strcmp(tag, YAML_NULL_TAG) == 0 && k != SC_NULL) {
			*why = "not null";
			return false;
		}
		if (strcmp(tag, YAML_FLOAT_TAG) == 0 && k == SC_INT)
			k = SC_FLOAT;
	}
	switch (k) {
	case SC_NULL:
		return true;
	case SC_BOOL:
		*out = json_object_new_boolean(s[0] == 't' || s[0] == 'T');
		return true;
	case SC_INT:
		errno = 0;
		if (str_startswith(s, "0x"))
			v = strtoll(s + 2, &end, 16);
		else if (str_startswith(s, "0o"))
			v = strtoll(s + 2, &end, 8);
		else
			v = strtoll(s, &end, 10);
		if (errno == ERANGE || *end != '\0') {
			*why = "integer out of range";
			return false;
		}
		*out = json_object_new_int64(v);
		return true;
	case SC_FLOAT:
		d = (*s == '-' || *s == '+') ? s + 1 : s;
		if (d[0] == '.' && (d[1] == 'i' || d[1] == 'I'))
			f = *s == '-' ? -INFINITY : INFINITY;
		else if (s[0] == '.' && (s[1] == 'n' || s[1] == 'N'))
			f = NAN;
		else
			f = strtod(s, NULL);
		*out = json_object_new_double(f);
		return true;
	case SC_STR:
		break;
	}
	*out = json_object_new_string_len(s, (int)len);
	return true;
}

/* ---- the builder ---- */

static void lerr(struct loader *l, int line, int col, const char *fmt, ...)
    MTV_PRINTF(4, 5);

static void
lerr(struct loader *l, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diags_addv(l->diags, l->doc->name, line, col, fmt, ap);
	va_end(ap);
	l->failed = true;
}

static struct anchor *
anchor_find(struct loader *l, const char *name)
{
	size_t i;

	/* the latest definition wins (YAML allows redefinition) */
	for (i = l->nanchors; i > 0; i--)
		if (strcmp(l->anchors[i - 1].name, name) == 0)
			return &l->anchors[i - 1];
	return NULL;
}

static void
anchor_add(struct loader *l, const char *name, json_object *node, size_t nodes)
{
	l->anchors =
	    xrealloc(l->anchors, (l->nanchors + 1) * sizeof(*l->anchors));
	l->anchors[l->nanchors].name = xstrdup(name);
	l->anchors[l->nanchors].node = node;
	l->anchors[l->nanchors].nodes = nodes;
	l->nanchors++;
}

/* Deep copy of an anchored node; every copied node and key is placed at
 * the alias. */
static json_object *
copy_at(struct loader *l, json_object *src, int line, int col)
{
	json_object *dst = NULL;
	size_t i, n;

	if (src == NULL)
		return NULL;
	switch (json_object_get_type(src)) {
	case json_type_object:
		dst = json_object_new_object();
		json_object_object_foreach(src, k, v) {
			json_object_object_add(dst, k,
					       copy_at(l, v, line, col));
			pos_set(l->doc, dst, k, line, col);
		}
		break;
	case json_type_array:
		n = json_object_array_length(src);
		dst = json_object_new_array_ext((int)n);
		for (i = 0; i < n; i++)
			json_object_array_add(
			    dst, copy_at(l, json_object_array_get_idx(src, i),
					 line, col));
		break;
	case json_type_string:
		dst =
		    json_object_new_string_len(json_object_get_string(src),
					       json_object_get_string_len(src));
		break;
	case json_type_int:
		dst = json_object_new_int64(json_object_get_int64(src));
		break;
	case json_type_double:
		dst = json_object_new_double(json_object_get_double(src));
		break;
	case json_type_boolean:
		dst = json_object_new_boolean(json_object_get_boolean(src));
		break;
	case json_type_null:
		break;
	}
	pos_set(l->doc, dst, NULL, line, col);
	return dst;
}

/* Attach a finished node (subtree of nodes nodes) to its parent. */
static void
attach(struct loader *l, json_object *node, size_t nodes, int line, int col)
{
	struct frame *f;

	pos_set(l->doc, node, NULL, line, col);
	if (l->depth == 0) {
		json_object_put(l->doc->root);
		l->doc->root = node;
		return;
	}
	f = &l->stack[l->depth - 1];
	f->nodes += nodes;
	if (!f->is_map) {
		json_object_array_add(f->obj, node);
		return;
	}
	if (f->dup) {
		if (l->graveyard == NULL)
			l->graveyard = json_object_new_array();
		json_object_array_add(l->graveyard, node);
	} else {
		json_object_object_add(f->obj, f->key, node);
		pos_set(l->doc, f->obj, f->key, f->kline, f->kcol);
	}
	free(f->key);
	f->key = NULL;
	f->dup = false;
}

/* In a mapping without a pending key, a scalar is the next key. */
static bool
want_key(struct loader *l)
{
	return l->depth > 0 && l->stack[l->depth - 1].is_map &&
	       l->stack[l->depth - 1].key == NULL;
}

static void
take_key(struct loader *l, const char *key, int line, int col)
{
	struct frame *f = &l->stack[l->depth - 1];
	int pl, pc;

	f->key = xstrdup(key);
	f->kline = line;
	f->kcol = col;
	f->dup = false;
	if (json_object_object_get_ex(f->obj, key, NULL)) {
		f->dup = true;
		if (doc_key_loc(l->doc, f->obj, key, &pl, &pc))
			lerr(
			    l, line, col,
			    "duplicate key '%s' (first defined at line %d, column %d)",
			    key, pl, pc);
		else
			lerr(l, line, col, "duplicate key '%s'", key);
	}
}

static bool
too_many(struct loader *l, size_t more, int line, int col)
{
	if (l->nodes + more <= DOC_MAX_NODES) {
		l->nodes += more;
		return false;
	}
	lerr(l, line, col,
	     "document too large: more than %d nodes after alias expansion",
	     DOC_MAX_NODES);
	return true;
}

/* Handle one event; returns false to stop parsing. */
/* A mapping or sequence opens: a new frame on the stack. */
static bool
collection_start(struct loader *l, yaml_event_t *ev, int line, int col)
{
	struct frame *f;
	const char *anchor;

	if (want_key(l)) {
		lerr(l, line, col, "mapping keys must be strings");
		return false;
	}
	if (l->depth >= DOC_MAX_DEPTH) {
		lerr(l, line, col, "nesting deeper than %d levels",
		     DOC_MAX_DEPTH);
		return false;
	}
	if (too_many(l, 1, line, col))
		return false;
	f = &l->stack[l->depth++];
	memset(f, 0, sizeof(*f));
	f->is_map = ev->type == YAML_MAPPING_START_EVENT;
	f->obj = f->is_map ? json_object_new_object() : json_object_new_array();
	f->line = line;
	f->col = col;
	f->nodes = 1;
	anchor = f->is_map ? (const char *)ev->data.mapping_start.anchor
			   : (const char *)ev->data.sequence_start.anchor;
	f->anchor = anchor ? xstrdup(anchor) : NULL;
	return true;
}

/* A mapping or sequence closes: its node joins its parent. */
static bool
collection_end(struct loader *l)
{
	struct frame *f;
	json_object *node;

	if (l->depth == 0)
		return false;
	f = &l->stack[--l->depth];
	node = f->obj;
	f->obj = NULL;
	free(f->key);
	f->key = NULL;
	if (f->anchor) {
		anchor_add(l, f->anchor, node, f->nodes);
		free(f->anchor);
		f->anchor = NULL;
	}
	attach(l, node, f->nodes, f->line, f->col);
	return true;
}

static bool
on_event(struct loader *l, yaml_event_t *ev)
{
	int line = (int)ev->start_mark.line + 1;
	int col = (int)ev->start_mark.column + 1;
	json_object *node = NULL;
	struct anchor *a;
	const char *why = NULL;
	const char *anchor = NULL;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++l->ndocs > 1) {
			lerr(
			    l, line, col,
			    "more than one document in the file (one scenario per file)");
			return false;
		}
		return true;
	case YAML_SCALAR_EVENT:
		if (want_key(l)) {
			take_key(l, (const char *)ev->data.scalar.value, line,
				 col);
			return true;
		}
		if (too_many(l, 1, line, col))
			return false;
		if (!scalar_node(&node, (const char *)ev->data.scalar.value,
				 ev->data.scalar.length,
				 ev->data.scalar.style ==
				     YAML_PLAIN_SCALAR_STYLE,
				 (const char *)ev->data.scalar.tag, &why)) {
			lerr(l, line, col, "invalid scalar '%s': %s",
			     (const char *)ev->data.scalar.value, why);
			node = json_object_new_string(
			    (const char *)ev->data.scalar.value);
		}
		anchor = (const char *)ev->data.scalar.anchor;
		if (anchor)
			anchor_add(l, anchor, node, 1);
		attach(l, node, 1, line, col);
		return true;
	case YAML_ALIAS_EVENT:
		a = anchor_find(l, (const char *)ev->data.alias.anchor);
		if (a == NULL) {
			lerr(l, line, col, "unknown anchor '%s'",
			     (const char *)ev->data.alias.anchor);
			return false;
		}
		if (want_key(l)) {
			if (!json_object_is_type(a->node, json_type_string)) {
				lerr(l, line, col,
				     "mapping keys must be strings");
				return false;
			}
			take_key(l, json_object_get_string(a->node), line, col);
			return true;
		}
		if (too_many(l, a->nodes, line, col))
			return false;
		node = copy_at(l, a->node, line, col);
		attach(l, node, a->nodes, line, col);
		return true;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		return collection_start(l, ev, line, col);
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		return collection_end(l);
	default:
		return true;
	}
}

/* libyaml's problem text, made to read like ours. */
static void
syntax_error(struct loader *l, const yaml_parser_t *p, const char *buf,
	     size_t len)
{
	const yaml_mark_t *m = &p->problem_mark;
	int line = (int)m->line + 1, col = (int)m->column + 1;
	const char *what = p->problem ? p->problem : "syntax error";

	if (p->error == YAML_READER_ERROR) {
		/* reader errors carry a byte offset, not a line */
		size_t off = p->problem_offset < len ? p->problem_offset : len;
		size_t i;

		line = 1;
		col = 1;
		for (i = 0; i < off; i++) {
			if (buf[i] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)buf[i] & 0xc0) != 0x80)
				col++;
		}
		lerr(l, line, col, "invalid YAML: %s", what);
		return;
	}
	if (m->index < len && buf[m->index] == '\t') {
		lerr(l, line, col,
		     "invalid YAML: tab character in indentation (use spaces)");
		return;
	}
	if (p->context)
		lerr(l, line, col, "invalid YAML: %s %s (line %d, column %d)",
		     what, p->context, (int)p->context_mark.line + 1,
		     (int)p->context_mark.column + 1);
	else
		lerr(l, line, col, "invalid YAML: %s", what);
}

static void
loader_release(struct loader *l)
{
	size_t i;
	int d;

	for (d = 0; d < l->depth; d++) {
		json_object_put(l->stack[d].obj);
		free(l->stack[d].key);
		free(l->stack[d].anchor);
	}
	for (i = 0; i < l->nanchors; i++)
		free(l->anchors[i].name);
	free(l->anchors);
	json_object_put(l->graveyard);
}

int
doc_load_buf(struct mtv_doc **out, const char *name, const char *buf,
	     size_t len, struct mtv_diags *diags)
{
	struct loader l;
	yaml_parser_t parser;
	yaml_event_t ev;
	bool done = false;
	size_t i;
	int line = 1, col = 1;
	int r = MTV_EINVAL;

	*out = NULL;
	if (buf == NULL)
		buf = "";
	memset(&l, 0, sizeof(l));
	l.doc = xcalloc(1, sizeof(*l.doc));
	l.doc->name = xstrdup(name ? name : "<input>");
	l.diags = diags;
	if (len > DOC_MAX_BYTES) {
		for (i = 0; i < DOC_MAX_BYTES; i++) {
			if (buf[i] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)buf[i] & 0xc0) != 0x80)
				col++;
		}
		lerr(&l, line, col, "file too large: more than %d bytes",
		     DOC_MAX_BYTES);
		goto out;
	}
	/* libyaml stops at a NUL as if at the end: refuse binary early */
	for (i = 0; i < len; i++) {
		if (buf[i] == '\0') {
			lerr(&l, line, col,
			     "not a text file: NUL byte at offset %zu", i);
			goto out;
		}
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80)
			col++;
	}
	if (!yaml_parser_initialize(&parser))
		BUG("yaml_parser_initialize");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(&l, &parser, buf, len);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		if (!on_event(&l, &ev))
			done = true;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (!l.failed && l.ndocs == 0)
		lerr(&l, 1, 1, "empty file: expected a mapping");
	if (l.failed)
		goto out;
	*out = l.doc;
	l.doc = NULL;
	r = 0;
out:
	loader_release(&l);
	doc_free(l.doc);
	return r;
}

int
doc_load_file(struct mtv_doc **out, const char *path, struct mtv_diags *diags)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	int fd, r = MTV_EINVAL;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		diags_add(diags, path, 0, 0, "cannot open file: %s",
			  strerror(errno));
		return errno == ENOENT ? MTV_ENOTFOUND : MTV_EIO;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			diags_add(diags, path, 0, 0, "cannot read file: %s",
				  strerror(errno));
			r = MTV_EIO;
			goto out;
		}
		if (n == 0)
			break;
		strbuf_add(&sb, buf, (size_t)n);
		/* one byte over the limit is enough to report it */
		if (sb.len > DOC_MAX_BYTES)
			break;
	}
	r = doc_load_buf(out, path, strbuf_str(&sb), sb.len, diags);
out:
	close(fd);
	strbuf_release(&sb);
	return r;
}
