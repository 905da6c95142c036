/* Sweep reports in three formats, and the atomic --report file. */
#include "sweep_report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"

static void json_list(struct json *j, const char *key, const struct sweep_report *r,
		      uint8_t now, uint8_t before)
{
	char buf[INET6_ADDRSTRLEN];

	json_arr_begin(j, key);
	for (size_t i = 0; i < r->t->n; i++)
		if (r->state[i] == now && (!before || r->prev[i] == before))
			json_str(j, NULL, targets_str(&r->t->addr[i], buf, sizeof(buf)));
	json_arr_end(j);
}

static void write_json(FILE *f, const struct sweep_report *r)
{
	char buf[INET6_ADDRSTRLEN];
	size_t probed = 0;
	struct json j;

	for (size_t i = 0; i < r->t->n; i++)
		probed += r->state[i] != SWEEP_UNPROBED;
	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "time", r->time);
	json_u64(&j, "round", r->round);
	json_u64(&j, "targets", probed);
	json_list(&j, "alive", r, SWEEP_ALIVE, 0);
	json_list(&j, "inactive", r, SWEEP_INACTIVE, 0);
	json_list(&j, "went_down", r, SWEEP_INACTIVE, SWEEP_ALIVE);
	json_list(&j, "came_up", r, SWEEP_ALIVE, SWEEP_INACTIVE);
	json_obj_begin(&j, "rtt_ms");
	for (size_t i = 0; i < r->t->n; i++)
		if (r->state[i] == SWEEP_ALIVE)
			json_double(&j, targets_str(&r->t->addr[i], buf, sizeof(buf)),
				    r->rtt_ns[i] / 1e6, 3);
	json_obj_end(&j);
	json_obj_end(&j);
	json_line_end(&j);
}

static void write_text(FILE *f, const struct sweep_report *r)
{
	char buf[INET6_ADDRSTRLEN];
	size_t inactive = 0;

	for (size_t i = 0; i < r->t->n; i++) {
		const char *a = targets_str(&r->t->addr[i], buf, sizeof(buf));

		if (r->state[i] == SWEEP_ALIVE) {
			fprintf(f, "%s is alive (%.3f ms)\n", a, r->rtt_ns[i] / 1e6);
		} else if (r->state[i] == SWEEP_INACTIVE) {
			fprintf(f, "%s is inactive\n", a);
			inactive++;
		}
	}
	fprintf(f, "Total %zu hosts are inactive\n", inactive);
}

static void write_csv(FILE *f, const struct sweep_report *r, bool header)
{
	char buf[INET6_ADDRSTRLEN];

	if (header)
		fputs("time,round,addr,status,rtt_ms\n", f);
	for (size_t i = 0; i < r->t->n; i++) {
		const char *a = targets_str(&r->t->addr[i], buf, sizeof(buf));

		if (r->state[i] == SWEEP_ALIVE)
			fprintf(f, "%s,%lu,%s,alive,%.3f\n", r->time, r->round, a,
				r->rtt_ns[i] / 1e6);
		else if (r->state[i] == SWEEP_INACTIVE)
			fprintf(f, "%s,%lu,%s,inactive,\n", r->time, r->round, a);
	}
}

int sweep_report_write(FILE *f, enum sweep_format fmt, const struct sweep_report *r, bool header)
{
	if (fmt == SWEEP_JSON)
		write_json(f, r);
	else if (fmt == SWEEP_CSV)
		write_csv(f, r, header);
	else
		write_text(f, r);
	return fflush(f) || ferror(f) ? -1 : 0;
}

int sweep_report_file(const char *path, enum sweep_format fmt, const struct sweep_report *r)
{
	size_t len = strlen(path) + 8;
	char *tmp = malloc(len);
	int fd, err = 0;
	FILE *f;

	if (!tmp)
		return -ENOMEM;
	/* Same directory as path, so that rename is atomic (same file system). */
	snprintf(tmp, len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto fail;
	}
	if (sweep_report_write(f, fmt, r, true) || fsync(fd))
		err = -(errno ? errno : EIO);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (!err) {
		free(tmp);
		return 0;
	}
fail:
	unlink(tmp);
	free(tmp);
	return err;
}
