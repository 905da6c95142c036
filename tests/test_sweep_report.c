/* Sweep reports and reply matching: crafted rounds with known answers. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sweep_recv.h"
#include "sweep_report.h"
#include "targets.h"

static char err[256];

static void add(struct targets *t, const char *spec)
{
	cr_assert_eq(targets_add(t, spec, 1 << 20, err, sizeof(err)), 0, "%s", err);
}

static char *render(enum sweep_format fmt, const struct sweep_report *r, bool header)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_eq(sweep_report_write(f, fmt, r, header), 0);
	fclose(f);
	return buf;
}

/* Four targets: .1 stays alive, .2 goes down, .3 comes up, .4 stays down; ::1 not probed. */
static struct targets t;
static uint8_t state[5] = { SWEEP_ALIVE, SWEEP_INACTIVE, SWEEP_ALIVE, SWEEP_INACTIVE,
			    SWEEP_UNPROBED };
static uint8_t prev[5] = { SWEEP_ALIVE, SWEEP_ALIVE, SWEEP_INACTIVE, SWEEP_INACTIVE,
			   SWEEP_UNPROBED };
static int64_t rtt[5] = { 1500000, -1, 250, -1, -1 };

static struct sweep_report round2(void)
{
	struct sweep_report r = { .t = &t, .state = state, .prev = prev, .rtt_ns = rtt,
				  .round = 2, .time = "2026-11-25T12:00:00.000Z" };

	if (!t.n) {
		add(&t, "192.0.2.1-192.0.2.4");
		add(&t, "2001:db8::1");
	}
	return r;
}

Test(sweep_report, json)
{
	struct sweep_report r = round2();
	char *s = render(SWEEP_JSON, &r, true);

	cr_assert_str_eq(s, "{\"time\":\"2026-11-25T12:00:00.000Z\",\"round\":2,\"targets\":4,"
			    "\"alive\":[\"192.0.2.1\",\"192.0.2.3\"],"
			    "\"inactive\":[\"192.0.2.2\",\"192.0.2.4\"],"
			    "\"went_down\":[\"192.0.2.2\"],\"came_up\":[\"192.0.2.3\"],"
			    "\"rtt_ms\":{\"192.0.2.1\":1.500,\"192.0.2.3\":0.000}}\n");
	free(s);
}

Test(sweep_report, text)
{
	struct sweep_report r = round2();
	char *s = render(SWEEP_TEXT, &r, true);

	cr_assert_str_eq(s, "192.0.2.1 is alive (1.500 ms)\n192.0.2.2 is inactive\n"
			    "192.0.2.3 is alive (0.000 ms)\n192.0.2.4 is inactive\n"
			    "Total 2 hosts are inactive\n");
	free(s);
}

Test(sweep_report, csv)
{
	struct sweep_report r = round2();
	char *with = render(SWEEP_CSV, &r, true), *without = render(SWEEP_CSV, &r, false);
	const char *rows = "2026-11-25T12:00:00.000Z,2,192.0.2.1,alive,1.500\n"
			   "2026-11-25T12:00:00.000Z,2,192.0.2.2,inactive,\n"
			   "2026-11-25T12:00:00.000Z,2,192.0.2.3,alive,0.000\n"
			   "2026-11-25T12:00:00.000Z,2,192.0.2.4,inactive,\n";

	cr_assert_str_eq(without, rows);
	cr_assert_eq(strncmp(with, "time,round,addr,status,rtt_ms\n", 30), 0);
	cr_assert_str_eq(with + 30, rows);
	free(with);
	free(without);
}

Test(sweep_report, file_is_replaced_whole)
{
	struct sweep_report r = round2();
	char dir[] = "/tmp/sweep_reportXXXXXX", path[64], buf[512] = { 0 };
	FILE *f;
	struct stat st;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	f = fopen(path, "w");
	fputs("old content that is longer than nothing", f);
	fclose(f);
	cr_assert_eq(sweep_report_file(path, SWEEP_TEXT, &r), 0);
	f = fopen(path, "r");
	cr_assert_gt(fread(buf, 1, sizeof(buf) - 1, f), 0);
	fclose(f);
	cr_assert_str_eq(buf, "192.0.2.1 is alive (1.500 ms)\n192.0.2.2 is inactive\n"
			      "192.0.2.3 is alive (0.000 ms)\n192.0.2.4 is inactive\n"
			      "Total 2 hosts are inactive\n");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644);
	unlink(path);
	cr_assert_eq(rmdir(dir), 0, "a temporary file was left behind");
	/* A directory that does not exist: an error, not a crash. */
	cr_assert_lt(sweep_report_file("/nonexistent-dir/r.json", SWEEP_TEXT, &r), 0);
}

Test(sweep_match, sequence_maps_back_beyond_65536)
{
	struct targets big = { 0 };
	struct sweep_key k;

	add(&big, "10.0.0.0/14"); /* 262142 targets: four per sequence number */
	/* Index 200000 is 10.0.0.0 + 1 + 200000 = 10.3.13.65; its sequence is 200000 % 65536. */
	char buf[64];

	cr_assert_str_eq(targets_str(&big.addr[200000], buf, sizeof(buf)), "10.3.13.65");
	sweep_key_of(&big.addr[200000], &k);
	cr_assert_eq(sweep_match(&big, &k, 200000 % 65536), 200000);
	cr_assert_eq(sweep_match(&big, &k, (200000 + 1) % 65536), -1);
	add(&t, "10.9.9.9");
	sweep_key_of(&t.addr[t.n - 1], &k);
	cr_assert_eq(sweep_match(&big, &k, 5), -1);
	targets_free(&big);
}
