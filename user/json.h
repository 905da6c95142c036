/* A small streaming JSON writer: correct escaping of arbitrary bytes, commas handled for you. */
#ifndef XDPSCOPE_JSON_H
#define XDPSCOPE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Containers nest at most JSON_MAX_DEPTH - 1 deep: deeper, the commas are no longer right. */
#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool live; /* flush each line: see json_set_live */
};

void json_init(struct json *j, FILE *f);
/* key is NULL inside arrays and at top level. */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_strn(struct json *j, const char *key, const char *val, size_t len);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_double(struct json *j, const char *key, double v, int decimals);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* Ends a top-level value with a newline (JSON Lines), and flushes it when the output is live. */
void json_line_end(struct json *j);
/* Live output (the default from json_init) is flushed line by line, so that a reader at the
 * other end of a pipe (`| jq`) sees each record as it happens; a batch (sniff -r FILE) turns it
 * off and leaves buffering to stdio, which is several times faster on large outputs. */
void json_set_live(struct json *j, bool live);

/* Writes bytes as a JSON string literal (with quotes). Invalid UTF-8 bytes become \u00XX so
 * that the output is always valid JSON. */
void json_write_string(FILE *f, const char *s, size_t len);

#endif
