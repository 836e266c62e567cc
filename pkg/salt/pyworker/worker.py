# The Python side of pkg/salt/pyworker: runs Salt's own execution modules
# for a Go minion. Frames on the protocol fds are a 4-byte big-endian length
# and a msgpack map (see protocol.go). The worker builds Salt's loader once;
# each call runs in a forked child, as Salt's multiprocessing minion runs a
# job, so calls overlap, a hung call can be killed with its process group,
# and one call's side effects on the loader do not leak into the next.
import os
import selectors
import signal
import struct
import sys
import traceback

PROTO_IN = os.dup(0)
PROTO_OUT = os.dup(1)
# Whatever a module prints or reads must not touch the protocol.
_devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(_devnull, 0)
os.close(_devnull)
os.dup2(2, 1)
sys.stdout = sys.stderr

try:
    import msgpack
except ImportError as exc:  # no Salt here either: no frame can say so
    sys.stderr.write("saltraet worker: cannot import msgpack: {}\n".format(exc))
    sys.exit(3)


def pack(obj):
    def default(o):
        if isinstance(o, (set, frozenset, tuple)):
            return list(o)
        if hasattr(o, "items"):
            return dict(o.items())
        if hasattr(o, "isoformat"):
            return str(o)
        if isinstance(o, int):  # beyond 64 bits
            return str(o)
        return repr(o)

    return msgpack.packb(obj, default=default, use_bin_type=True)


def unpack(data):
    # Pillar and grains may have keys that are not strings.
    return msgpack.unpackb(data, raw=False, strict_map_key=False)


def frame(obj):
    body = pack(obj)
    return struct.pack(">I", len(body)) + body


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def send(obj):
    write_all(PROTO_OUT, frame(obj))


def read_init():
    head = b""
    while len(head) < 4:
        chunk = os.read(PROTO_IN, 4 - len(head))
        if not chunk:
            sys.exit(0)
        head += chunk
    (size,) = struct.unpack(">I", head)
    body = b""
    while len(body) < size:
        chunk = os.read(PROTO_IN, size - len(body))
        if not chunk:
            sys.exit(0)
        body += chunk
    return unpack(body)


class Worker:
    def __init__(self, init):
        import logging

        logging.basicConfig(
            stream=sys.stderr,
            level=getattr(logging, str(init.get("log_level", "warning")).upper(), 30),
            format="[%(levelname)-8s] %(name)s: %(message)s",
        )
        import salt.config
        import salt.exceptions
        import salt.loader
        import salt.minion
        import salt.version

        # Salt 3006 imports modules newer Pythons deprecate (crypt, spwd): a
        # warning each in the minion's log would say nothing to act on.
        import warnings

        warnings.filterwarnings("ignore", category=DeprecationWarning)
        self.salt = salt
        conf = init.get("conf_file") or ""
        if conf and os.path.isfile(conf):
            opts = salt.config.minion_config(conf, minion_id=init["id"])
        else:
            opts = salt.config.minion_config(None, minion_id=init["id"])
        opts.update(init.get("opts") or {})
        # The Go minion's transport is RAET, which Salt 3006 has no more;
        # nothing here talks to the master, files come from the local roots.
        opts["transport"] = "zeromq"
        opts["file_client"] = "local"
        # The grains option of the config file, which salt.loader.grains
        # gives grains modules as __grains__ while it runs them.
        self.conf_grains = dict(opts.get("grains") or {})
        opts["grains"] = dict(init.get("grains") or {})
        opts["pillar"] = dict(init.get("pillar") or {})
        self.opts = opts
        self.version = salt.version.__version__
        self.load()

    def load(self):
        salt = self.salt
        self.utils = salt.loader.utils(self.opts)
        self.functions = salt.loader.minion_mods(self.opts, utils=self.utils)

    def update(self, key, value):
        # In place: the loader's __grains__/__pillar__ refer to these dicts.
        d = self.opts[key]
        d.clear()
        d.update(value or {})

    def run(self, fun, arg, data):
        """Run fun as Minion._thread_return does; the return dict of a job.
        arg is the published argument list, __kwarg__ markers and all; data
        the publish (its arg already without them)."""
        exc_mod = self.salt.exceptions
        if fun not in self.functions:
            return {"found": False}
        func = self.functions[fun]
        out = getattr(func, "__outputter__", None)
        ret = {"found": True, "out": out if isinstance(out, str) else ""}
        try:
            args, kwargs = self.salt.minion.load_args_and_kwargs(func, arg or [], data)
            self.functions.pack["__context__"]["retcode"] = 0
            value = func(*args, **kwargs)
            if hasattr(value, "__next__"):
                value = self.gather(value)
            retcode = self.functions.pack["__context__"].get("retcode", 0)
            if retcode == 0:
                try:
                    if not all(value.get(x, True) for x in ("result", "success")):
                        retcode = 1
                except Exception:  # pylint: disable=broad-except
                    pass
            ret.update({"return": value, "retcode": retcode, "success": retcode == 0})
            return ret
        except exc_mod.CommandNotFoundError as exc:
            msg = "Command required for '{}' not found: {}".format(fun, exc)
        except exc_mod.CommandExecutionError as exc:
            msg = "ERROR: {}".format(exc)
        except (exc_mod.SaltInvocationError, exc_mod.SaltClientError) as exc:
            msg = "ERROR executing '{}': {}".format(fun, exc)
        except TypeError as exc:
            msg = "Passed invalid arguments to {}: {}\n{}".format(fun, exc, func.__doc__ or "")
        except Exception as exc:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            msg = "The minion function caused an exception: {}".format(last)
        ret.update({"return": msg, "retcode": 1, "success": False, "out": "nested", "raised": True})
        return ret

    @staticmethod
    def gather(gen):
        # A generator's parts, joined as _thread_return joins them.
        iret = {}
        for single in gen:
            if isinstance(single, dict) and isinstance(iret, dict):
                iret.update(single)
            else:
                if not iret:
                    iret = []
                iret.append(single)
        return iret

    def custom_grains(self, core):
        """salt.loader.grains over <extension_modules>/grains alone: the
        grains modules synced there, run as Salt's loader runs every grains
        module (core.* first, then the rest with grains= and proxy= where
        they take them), each dict merged over core. Returns the merged
        grains and the modules that were loaded."""
        import inspect
        import logging

        salt = self.salt
        import salt.utils.dictupdate
        import salt.utils.stringutils

        log = logging.getLogger("salt.loader")
        grains_data = dict(core)
        gdir = os.path.join(self.opts.get("extension_modules") or "", "grains")
        if not os.path.isdir(gdir):
            return {"grains": grains_data, "modules": []}
        opts = dict(self.opts)
        opts["grains"] = dict(self.conf_grains)
        funcs = salt.loader.LazyLoader(
            [gdir],
            opts,
            tag="grains",
            extra_module_dirs=self.utils.module_dirs,
            pack={"__utils__": self.utils, "__context__": {}},
        )
        deep = opts.get("grains_deep_merge", False) is True
        blist = opts.get("grains_blacklist", [])
        keys = list(funcs)
        for core_pass in (True, False):
            for key in keys:
                if key.startswith("core.") != core_pass or key == "_errors":
                    continue
                try:
                    kwargs = {}
                    if not core_pass:
                        params = inspect.signature(funcs[key]).parameters
                        if "proxy" in params:
                            kwargs["proxy"] = None
                        if "grains" in params:
                            kwargs["grains"] = grains_data
                    ret = funcs[key](**kwargs)
                except Exception:  # pylint: disable=broad-except
                    log.critical(
                        "Failed to load grains defined in grain file %s in function %s, error:\n",
                        key,
                        funcs[key],
                        exc_info=True,
                    )
                    continue
                if not isinstance(ret, dict):
                    continue
                for name in list(ret) if blist else ():
                    if any(salt.utils.stringutils.expr_match(name, b) for b in blist):
                        del ret[name]
                if not ret:
                    continue
                if deep:
                    salt.utils.dictupdate.update(grains_data, ret)
                else:
                    grains_data.update(ret)
        modules = sorted({key.split(".", 1)[0] for key in keys})
        return {"grains": grains_data, "modules": modules}

    def functions_list(self):
        return sorted(self.functions.keys())


class Server:
    """The select loop: frames from Go, results from forked children."""

    def __init__(self, worker):
        self.worker = worker
        self.sel = selectors.DefaultSelector()
        self.inbuf = b""
        self.children = {}  # read fd -> [call id, pid, bytes]
        self.by_id = {}  # call id -> pid

    def serve(self):
        os.set_blocking(PROTO_IN, False)
        self.sel.register(PROTO_IN, selectors.EVENT_READ, None)
        while True:
            for key, _ in self.sel.select():
                if key.fd == PROTO_IN:
                    if not self.read_proto():
                        self.stop()
                        return
                else:
                    self.read_child(key.fd)

    def read_proto(self):
        try:
            chunk = os.read(PROTO_IN, 1 << 16)
        except BlockingIOError:
            return True
        if not chunk:
            return False
        self.inbuf += chunk
        while len(self.inbuf) >= 4:
            (size,) = struct.unpack(">I", self.inbuf[:4])
            if len(self.inbuf) < 4 + size:
                break
            msg = unpack(self.inbuf[4 : 4 + size])
            self.inbuf = self.inbuf[4 + size :]
            try:
                self.handle(msg)
            except Exception as exc:  # pylint: disable=broad-except
                # One bad call must not take the worker down with it.
                traceback.print_exc(file=sys.stderr)
                if "id" in msg:
                    send({"id": msg["id"], "error": "the worker could not run the call: {}".format(exc)})
        return True

    def handle(self, msg):
        op = msg.get("op")
        if op == "call":
            for key in ("grains", "pillar"):
                if key in msg:
                    self.worker.update(key, msg[key])
            # Looked up here, so the module is imported once, in the worker,
            # and every later call's child has it already.
            if msg["fun"] not in self.worker.functions:
                send({"id": msg["id"], "found": False})
                return
            self.fork(msg["id"], lambda: self.worker.run(msg["fun"], msg.get("arg"), msg.get("data") or {}))
        elif op == "grains":
            self.fork(msg["id"], lambda: self.worker.custom_grains(msg.get("core") or {}))
        elif op == "functions":
            self.fork(msg["id"], lambda: {"functions": self.worker.functions_list()})
        elif op == "reload":
            self.worker.load()
        elif op == "cancel":
            pid = self.by_id.get(msg["id"])
            if pid:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass

    def fork(self, call_id, job):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            self.child(rfd, wfd, call_id, job)
        os.close(wfd)
        os.set_blocking(rfd, False)
        self.children[rfd] = [call_id, pid, b""]
        self.by_id[call_id] = pid
        self.sel.register(rfd, selectors.EVENT_READ, None)

    def child(self, rfd, wfd, call_id, job):
        code = 0
        try:
            os.setpgid(0, 0)
            os.close(rfd)
            os.close(PROTO_IN)
            os.close(PROTO_OUT)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            res = job()
            res["id"] = call_id
            try:
                data = pack(res)
            except Exception as exc:  # pylint: disable=broad-except
                data = pack({"id": call_id, "error": "cannot serialize the return: {}".format(exc)})
            write_all(wfd, data)
        except BaseException:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            code = 1
        finally:
            os._exit(code)

    def read_child(self, fd):
        ent = self.children[fd]
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        if chunk:
            ent[2] += chunk
            return
        self.sel.unregister(fd)
        os.close(fd)
        del self.children[fd]
        call_id, pid, data = ent
        self.by_id.pop(call_id, None)
        _, status = os.waitpid(pid, 0)
        if data:
            body = data
        else:
            why = "exited with status {}".format(os.waitstatus_to_exitcode(status))
            if os.WIFSIGNALED(status):
                why = "was killed by signal {}".format(os.WTERMSIG(status))
            body = pack({"id": call_id, "error": "the worker process of the call " + why})
        write_all(PROTO_OUT, struct.pack(">I", len(body)) + body)

    def stop(self):
        for _, pid, _ in list(self.children.values()):
            try:
                os.killpg(pid, signal.SIGTERM)
            except OSError:
                pass


def main():
    init = read_init()
    try:
        worker = Worker(init)
    except BaseException as exc:  # pylint: disable=broad-except
        traceback.print_exc(file=sys.stderr)
        send({"op": "error", "error": "".join(traceback.format_exception_only(type(exc), exc)).strip()})
        sys.exit(3)
    send({"op": "ready", "version": worker.version, "python": sys.version.split()[0]})
    Server(worker).serve()


main()
