package org.myelin.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU and memory figures from Linux's {@code /proc}: the machine's busy time, a process' CPU time
 * (with its reaped children's), an embedded PostgreSQL's (its postmaster and every live backend),
 * a process' resident set and its peak. CPU times are in clock ticks of 10 ms (USER_HZ).
 */
public final class ProcStats {

    public static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** {busy, total} ticks of all CPUs since boot (busy excludes idle and iowait). */
    public static long[] machineTicks() {
        String[] f = firstLine(Path.of("/proc/stat")).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }

    /** utime + stime (+ cutime + cstime if {@code withReapedChildren}) of {@code pid}; 0 if it is gone. */
    public static long processTicks(long pid, boolean withReapedChildren) {
        String[] f = statFields(pid);
        if (f == null) {
            return 0;
        }
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return withReapedChildren ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
    }

    /**
     * CPU ticks of the PostgreSQL cluster in {@code dataDir}: its postmaster (with the backends it
     * has reaped) and its live children (backends, WAL writer, checkpointer…); 0 if not running.
     */
    public static long postgresTicks(Path dataDir) {
        long postmaster = postmasterPid(dataDir);
        if (postmaster <= 0) {
            return 0;
        }
        long sum = processTicks(postmaster, true);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                String[] f = statFields(pid);
                if (f != null && Long.parseLong(f[1]) == postmaster) {
                    sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
        } catch (IOException e) {
            return sum;
        }
        return sum;
    }

    /** The postmaster's pid (first line of postmaster.pid), or -1. */
    public static long postmasterPid(Path dataDir) {
        try {
            return Long.parseLong(firstLine(dataDir.resolve("postmaster.pid")).trim());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The port the PostgreSQL in {@code dataDir} listens on (fourth line of postmaster.pid), or -1. */
    public static int postgresPort(Path dataDir) {
        try {
            return Integer.parseInt(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(3).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A field of /proc/pid/status in kB (VmRSS, VmHWM), or -1. */
    public static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Memory of the PostgreSQL cluster in {@code dataDir}, in kB: the sum of its processes'
     * proportional set sizes (Pss of /proc/pid/smaps_rollup), so that shared buffers, mapped by
     * every backend, count once rather than once per process; -1 if not running.
     */
    public static long postgresPssKb(Path dataDir) {
        long postmaster = postmasterPid(dataDir);
        if (postmaster <= 0) {
            return -1;
        }
        long sum = pssKb(postmaster);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                String[] f = statFields(pid);
                if (f != null && Long.parseLong(f[1]) == postmaster) {
                    sum += Math.max(0, pssKb(pid));
                }
            }
        } catch (IOException e) {
            return sum;
        }
        return sum;
    }

    /** The Pss line of /proc/pid/smaps_rollup in kB, or -1. */
    public static long pssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Resets the process' peak resident set (VmHWM) to its current size ("5" to clear_refs). */
    public static boolean resetPeakRss(long pid) {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static String loadAverage() {
        String[] f = firstLine(Path.of("/proc/loadavg")).split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /** Fields of /proc/pid/stat after the command name: [0] is the state, [1] the ppid, [11] utime. */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String firstLine(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? "" : lines.get(0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
