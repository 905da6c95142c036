/* Fuzzes the JSON writer: the input drives a sequence of writer calls with arbitrary string
 * bytes (interface names and addresses can hold any); the output must be one valid JSON
 * document (RFC 8259, checked by the small validator below) whose strings decode back to the
 * exact bytes given (bytes that are not UTF-8 come back from the writer's \u00XX escapes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STRINGS 256

/* The strings the driver wrote, in order, to compare with what the validator decodes. */
struct strings {
	const uint8_t *p[MAX_STRINGS];
	size_t len[MAX_STRINGS];
	size_t n, checked;
};

struct parser {
	const char *s;
	size_t len, pos;
	struct strings *want;
	int depth;
};

static void fail(const struct parser *p, const char *what)
{
	fprintf(stderr, "fuzz_json: %s at byte %zu of output:\n%.*s\n", what, p->pos, (int)p->len, p->s);
	abort();
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static void expect(struct parser *p, char c)
{
	if (peek(p) != (unsigned char)c)
		fail(p, "unexpected character");
	p->pos++;
}

static unsigned int hex4(struct parser *p)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++) {
		int c = peek(p);

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			fail(p, "bad \\u escape");
		p->pos++;
	}
	return v;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	unsigned int cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (!n || n > left)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A string literal; decodes it and compares it with the next string the driver wrote. The
 * writer's contract: \u00XX stands for the raw byte XX (which was not valid UTF-8 there). */
static void string_lit(struct parser *p)
{
	uint8_t *out = malloc(p->len + 1);
	size_t n = 0;

	expect(p, '"');
	for (;;) {
		int c = peek(p);

		if (c < 0)
			fail(p, "unterminated string");
		if (c == '"')
			break;
		if (c < 0x20)
			fail(p, "raw control character in string");
		if (c == '\\') {
			p->pos++;
			c = peek(p);
			p->pos++;
			switch (c) {
			case '"': out[n++] = '"'; break;
			case '\\': out[n++] = '\\'; break;
			case '/': out[n++] = '/'; break;
			case 'b': out[n++] = '\b'; break;
			case 'f': out[n++] = '\f'; break;
			case 'n': out[n++] = '\n'; break;
			case 'r': out[n++] = '\r'; break;
			case 't': out[n++] = '\t'; break;
			case 'u': {
				unsigned int v = hex4(p);

				if (v > 0xff)
					fail(p, "\\u escape the writer never needs");
				out[n++] = (uint8_t)v;
				break;
			}
			default: fail(p, "bad escape");
			}
			continue;
		}
		size_t u = utf8_len((const unsigned char *)p->s + p->pos, p->len - p->pos);

		if (!u)
			fail(p, "string is not valid UTF-8");
		memcpy(out + n, p->s + p->pos, u);
		n += u;
		p->pos += u;
	}
	p->pos++;
	if (p->want) {
		struct strings *w = p->want;

		if (w->checked >= w->n)
			fail(p, "more strings than written");
		if (w->len[w->checked] != n || memcmp(w->p[w->checked], out, n))
			fail(p, "string does not round-trip");
		w->checked++;
	}
	free(out);
}

static void number(struct parser *p)
{
	size_t start = p->pos;

	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0')
		p->pos++;
	else if (peek(p) >= '1' && peek(p) <= '9')
		while (peek(p) >= '0' && peek(p) <= '9')
			p->pos++;
	else
		fail(p, "bad number");
	if (peek(p) == '.') {
		p->pos++;
		if (!(peek(p) >= '0' && peek(p) <= '9'))
			fail(p, "bad fraction");
		while (peek(p) >= '0' && peek(p) <= '9')
			p->pos++;
	}
	if (p->pos == start)
		fail(p, "empty number");
}

static void literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		fail(p, "bad literal");
	p->pos += n;
}

static void value(struct parser *p);

static void members(struct parser *p, char close, int keyed)
{
	p->pos++;
	if (++p->depth > 200)
		fail(p, "nesting too deep");
	if (peek(p) == (unsigned char)close) {
		p->pos++;
		p->depth--;
		return;
	}
	for (;;) {
		if (keyed) {
			string_lit(p);
			expect(p, ':');
		}
		value(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		expect(p, close);
		break;
	}
	p->depth--;
}

static void value(struct parser *p)
{
	int c = peek(p);

	if (c == '{')
		members(p, '}', 1);
	else if (c == '[')
		members(p, ']', 0);
	else if (c == '"')
		string_lit(p);
	else if (c == 't')
		literal(p, "true");
	else if (c == 'f')
		literal(p, "false");
	else if (c == 'n')
		literal(p, "null");
	else
		number(p);
}

/* Drives the writer: each op byte picks a call; string arguments are length-prefixed slices
 * of the input. Containers nest at most JSON_MAX_DEPTH - 1 deep (the writer's documented
 * limit) and are all closed at the end, as every command does. */
static void drive(struct json *j, const uint8_t *d, size_t size, struct strings *w)
{
	char kinds[JSON_MAX_DEPTH]; /* 'o' or 'a' per open container */
	int open = 0;
	size_t i = 0;

	json_obj_begin(j, NULL);
	kinds[open++] = 'o';
	while (i < size) {
		uint8_t op = d[i++];
		size_t len = i < size ? d[i++] % 64 : 0;
		const uint8_t *arg = d + i;
		char key[64];
		const char *k = NULL;

		if (len > size - i)
			len = size - i;
		i += len;
		/* Closing a container writes no key. */
		if (kinds[open - 1] == 'o' && !(op % 9 == 2 && open > 1)) {
			/* Keys are C strings: the bytes up to the first NUL. */
			size_t kl = strnlen((const char *)arg, len);

			memcpy(key, arg, kl);
			key[kl] = '\0';
			k = key;
			if (w->n < MAX_STRINGS) {
				w->p[w->n] = arg;
				w->len[w->n++] = kl;
			}
		}
		switch (op % 9) {
		case 0:
			if (open < JSON_MAX_DEPTH - 1) {
				json_obj_begin(j, k);
				kinds[open++] = 'o';
			} else {
				json_null(j, k);
			}
			break;
		case 1:
			if (open < JSON_MAX_DEPTH - 1) {
				json_arr_begin(j, k);
				kinds[open++] = 'a';
			} else {
				json_null(j, k);
			}
			break;
		case 2:
			if (open > 1) {
				open--;
				kinds[open] == 'o' ? json_obj_end(j) : json_arr_end(j);
			} else {
				json_null(j, k);
			}
			break;
		case 3:
			json_strn(j, k, (const char *)arg, len);
			if (w->n < MAX_STRINGS) {
				w->p[w->n] = arg;
				w->len[w->n++] = len;
			}
			break;
		case 4: {
			uint64_t v = 0;

			memcpy(&v, arg, len < 8 ? len : 8);
			json_u64(j, k, v);
			break;
		}
		case 5: {
			int64_t v = 0;

			memcpy(&v, arg, len < 8 ? len : 8);
			json_i64(j, k, v);
			break;
		}
		case 6: {
			double v = 0;

			memcpy(&v, arg, len < 8 ? len : 8);
			json_double(j, k, v, len > 8 ? arg[8] % 10 : 3);
			break;
		}
		case 7:
			json_bool(j, k, len & 1);
			break;
		default:
			json_null(j, k);
			break;
		}
	}
	while (open > 0) {
		open--;
		kinds[open] == 'o' ? json_obj_end(j) : json_arr_end(j);
	}
	json_line_end(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strings w;
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	struct json j;
	struct parser p;

	if (size > 4096)
		return 0;
	/* json_write_string alone: one string literal. */
	f = open_memstream(&out, &len);
	json_write_string(f, (const char *)data, size);
	fclose(f);
	memset(&w, 0, sizeof(w));
	w.p[0] = data;
	w.len[0] = size;
	w.n = 1;
	p = (struct parser){ .s = out, .len = len, .want = &w };
	string_lit(&p);
	if (p.pos != len)
		fail(&p, "bytes after the string");
	free(out);

	/* The whole writer. */
	memset(&w, 0, sizeof(w));
	f = open_memstream(&out, &len);
	json_init(&j, f);
	drive(&j, data, size, &w);
	fclose(f);
	p = (struct parser){ .s = out, .len = len, .want = w.n < MAX_STRINGS ? &w : NULL };
	value(&p);
	expect(&p, '\n');
	if (p.pos != len)
		fail(&p, "bytes after the document");
	if (p.want && w.checked != w.n)
		fail(&p, "fewer strings than written");
	free(out);
	return 0;
}
