/* Streaming JSON writer used by every --json output. */
#include "json.h"

#include <math.h>
#include <string.h>

#include "utf8.h"

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->live = true;
}

void json_set_live(struct json *j, bool live)
{
	j->live = live;
}

/* The escape for byte c, which cannot go out as it is. */
static void json_write_escape(FILE *f, unsigned char c)
{
	if (c == '"' || c == '\\') {
		fputc('\\', f);
		fputc(c, f);
	} else if (c == '\n') {
		fputs("\\n", f);
	} else if (c == '\t') {
		fputs("\\t", f);
	} else if (c == '\r') {
		fputs("\\r", f);
	} else {
		fprintf(f, "\\u%04x", c);
	}
}

void json_write_string(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0; /* s[run..i) needs no escape: written in one go */

	fputc('"', f);
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			continue;
		}
		n = c >= 0x80 ? utf8_seq_len(s + i, len - i, NULL) : 0;
		if (n) {
			i += n;
			continue;
		}
		fwrite(s + run, 1, i - run, f);
		json_write_escape(f, c);
		run = ++i;
	}
	fwrite(s + run, 1, len - run, f);
	fputc('"', f);
}

static void json_prefix(struct json *j, const char *key)
{
	if (j->depth > 0 && j->need_comma[j->depth])
		fputc(',', j->f);
	if (j->depth > 0)
		j->need_comma[j->depth] = true;
	if (key) {
		json_write_string(j->f, key, strlen(key));
		fputc(':', j->f);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_prefix(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_begin(struct json *j, const char *key) { json_open(j, key, '{'); }
void json_obj_end(struct json *j) { json_close(j, '}'); }
void json_arr_begin(struct json *j, const char *key) { json_open(j, key, '['); }
void json_arr_end(struct json *j) { json_close(j, ']'); }

void json_strn(struct json *j, const char *key, const char *val, size_t len)
{
	json_prefix(j, key);
	json_write_string(j->f, val, len);
}

void json_str(struct json *j, const char *key, const char *val)
{
	if (!val) {
		json_null(j, key);
		return;
	}
	json_strn(j, key, val, strlen(val));
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_prefix(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	json_prefix(j, key);
	fprintf(j->f, "%lld", (long long)v);
}

void json_double(struct json *j, const char *key, double v, int decimals)
{
	json_prefix(j, key);
	if (!isfinite(v))
		fputs("null", j->f);
	else
		fprintf(j->f, "%.*f", decimals, v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_prefix(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	json_prefix(j, key);
	fputs("null", j->f);
}

void json_line_end(struct json *j)
{
	fputc('\n', j->f);
	if (j->live)
		fflush(j->f);
}
