/* JSON writer: escaping of arbitrary bytes, comma placement, flushing of live output. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"

static char *render(void (*fn)(struct json *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f);
	fn(&j);
	fclose(f);
	return buf;
}

static void nested(struct json *j)
{
	json_obj_begin(j, NULL);
	json_str(j, "a", "x");
	json_arr_begin(j, "b");
	json_u64(j, NULL, 1);
	json_obj_begin(j, NULL);
	json_i64(j, "c", -2);
	json_obj_end(j);
	json_arr_end(j);
	json_bool(j, "d", true);
	json_null(j, "e");
	json_double(j, "f", 1.5, 3);
	json_obj_end(j);
}

Test(json, nesting_and_commas)
{
	char *s = render(nested);

	cr_assert_str_eq(s, "{\"a\":\"x\",\"b\":[1,{\"c\":-2}],\"d\":true,\"e\":null,\"f\":1.500}");
	free(s);
}

static char *string_of(const char *in, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	json_write_string(f, in, len);
	fclose(f);
	return buf;
}

Test(json, escapes_controls_quotes_and_backslash)
{
	char *s = string_of("a\"b\\c\nd\x01\x7f", 9);

	cr_assert_str_eq(s, "\"a\\\"b\\\\c\\nd\\u0001\\u007f\"");
	free(s);
}

Test(json, keeps_valid_utf8_and_escapes_invalid_bytes)
{
	/* "é" is valid two-byte UTF-8; 0xff, a lone continuation byte and an overlong "/" are not. */
	char *s = string_of("\xc3\xa9\xff\x80\xc0\xaf", 6);

	cr_assert_str_eq(s, "\"\xc3\xa9\\u00ff\\u0080\\u00c0\\u00af\"");
	free(s);
}

Test(json, embedded_nul_is_escaped)
{
	char *s = string_of("a\0b", 3);

	cr_assert_str_eq(s, "\"a\\u0000b\"");
	free(s);
}

/* Bytes readable now from the pipe's read end rfd (non-blocking), into buf. */
static ssize_t pipe_pending(int rfd, char *buf, size_t n)
{
	ssize_t got = read(rfd, buf, n);

	return got < 0 && errno == EAGAIN ? 0 : got;
}

/* Writes one line {"n":1} through a fully buffered pipe, live or not; returns what the reader
 * could read right after json_line_end, before anything else flushes. */
static ssize_t line_through_pipe(bool live, char *buf, size_t n)
{
	int fds[2];
	FILE *f;
	struct json j;
	ssize_t got;

	cr_assert_eq(pipe2(fds, O_NONBLOCK), 0);
	f = fdopen(fds[1], "w");
	cr_assert_not_null(f);
	setvbuf(f, NULL, _IOFBF, 4096); /* what stdio does for a pipe */
	json_init(&j, f);
	if (!live)
		json_set_live(&j, false);
	json_obj_begin(&j, NULL);
	json_u64(&j, "n", 1);
	json_obj_end(&j);
	json_line_end(&j);
	got = pipe_pending(fds[0], buf, n);
	fclose(f);
	close(fds[0]);
	return got;
}

/* Live (the default): a reader at the other end of a pipe gets each line at once. */
Test(json, live_line_reaches_a_pipe_at_once)
{
	char buf[64];
	ssize_t got = line_through_pipe(true, buf, sizeof(buf));

	cr_assert_eq(got, 8);
	cr_assert_arr_eq(buf, "{\"n\":1}\n", 8);
}

/* A batch leaves the line to stdio's buffer: nothing reaches the pipe yet. */
Test(json, batch_line_stays_buffered)
{
	char buf[64];

	cr_assert_eq(line_through_pipe(false, buf, sizeof(buf)), 0);
}
