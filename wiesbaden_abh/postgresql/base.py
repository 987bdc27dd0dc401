"""Django's PostgreSQL backend, checking a kept connection without a round trip.

With persistent connections (CONN_MAX_AGE) and CONN_HEALTH_CHECKS, Django sends `SELECT 1`
before the first query of every request, so that a connection the server dropped meanwhile
(a restart, an administrator's kill, an idle timeout) is replaced instead of failing the
request. That round trip was a seventh of a wizard page's time. A server that drops a
connection says so on its socket first (an error message, then the end of the stream), and an
idle connection's socket is otherwise silent: a kept connection whose socket has nothing to
read is alive, one with something to read gets Django's `SELECT 1` as before.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._socket_silent()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _socket_silent(self):
        if self.pool or self.connection.closed:
            return False
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
