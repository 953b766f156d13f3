"""Python over gRPC as an independent peer of the reference server.

Debian's python3 with its grpcio and protobuf, and the *_pb2 / *_pb2_grpc modules protoc and
grpc_python_plugin made of our schema (packages/interop/test/support/python-schema.ts puts them on
PYTHONPATH). Nothing else of the repository is used.

    grpc_peer.py <host:port> <token> scenario   < config.json
    grpc_peer.py <host:port> <token> errors     < config.json

`scenario` creates a runner, an environment class on it, an environment of that class (polling
GetEnvironment until it is RUNNING) and a service in it (polling GetService until it is RUNNING),
reads each back with Get and List, and prints a JSON summary: the messages as
json_format.MessageToDict makes them (proto3 JSON: camelCase, enums by name, int64 as strings), the
phases seen while polling, and the ids the List calls returned.

`errors` makes calls that must fail and prints, for each, the gRPC status code's name, the details
the server sent and — for INVALID_ARGUMENT — the buf.validate.Violations of its
grpc-status-details-bin trailer.

The config (stdin, JSON) carries the scenario's names, the context URL and the timeout.
Exit code 0 when the whole scenario ran; otherwise 1 with the reason on stderr.
"""

import json
import sys
import time

import google.protobuf
import grpc
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, json_format, message_factory

from buf.validate import validate_pb2
from gitpod.v1 import (
    automation_trigger_pb2,
    environment_automation_pb2,
    environment_automation_pb2_grpc,
    environment_class_pb2,
    environment_pb2,
    environment_pb2_grpc,
    runner_configuration_pb2,
    runner_configuration_pb2_grpc,
    runner_kind_pb2,
    runner_pb2,
    runner_pb2_grpc,
)


def to_dict(message):
    """proto3 JSON of a message, as a dict (json_format's defaults: camelCase, no default values)."""
    return json_format.MessageToDict(message)


def poll(read, done, timeout_seconds, interval_seconds=0.02):
    """Calls read() until done(value); returns every value read. Raises TimeoutError after the timeout."""
    seen = []
    deadline = time.monotonic() + timeout_seconds
    while True:
        value = read()
        seen.append(value)
        if done(value):
            return seen
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done after {timeout_seconds}s; last seen: {to_dict(value)}")
        time.sleep(interval_seconds)


def distinct(values):
    """The values in order, with consecutive repeats collapsed."""
    out = []
    for v in values:
        if not out or out[-1] != v:
            out.append(v)
    return out


def scenario(channel, metadata, config):
    runners = runner_pb2_grpc.RunnerServiceStub(channel)
    configuration = runner_configuration_pb2_grpc.RunnerConfigurationServiceStub(channel)
    environments = environment_pb2_grpc.EnvironmentServiceStub(channel)
    automations = environment_automation_pb2_grpc.EnvironmentAutomationServiceStub(channel)
    timeout = config["timeoutSeconds"]

    created_runner = runners.CreateRunner(
        runner_pb2.CreateRunnerRequest(
            name=config["runnerName"],
            provider=runner_kind_pb2.RUNNER_PROVIDER_AWS_EC2,
            spec=runner_pb2.RunnerSpec(
                configuration=runner_pb2.RunnerConfiguration(
                    region=config["region"],
                    release_channel=runner_pb2.RUNNER_RELEASE_CHANNEL_STABLE,
                    auto_update=True,
                )
            ),
        ),
        metadata=metadata,
        timeout=10,
    )
    runner_id = created_runner.runner.runner_id
    got_runner = runners.GetRunner(runner_pb2.GetRunnerRequest(runner_id=runner_id), metadata=metadata, timeout=10)
    listed_runners = runners.ListRunners(runner_pb2.ListRunnersRequest(), metadata=metadata, timeout=10)

    created_class = configuration.CreateEnvironmentClass(
        runner_configuration_pb2.CreateEnvironmentClassRequest(
            runner_id=runner_id,
            display_name=config["className"],
            description=config["classDescription"],
            configuration=[
                environment_class_pb2.FieldValue(key="cpu", value="4"),
                environment_class_pb2.FieldValue(key="memory", value="16"),
            ],
        ),
        metadata=metadata,
        timeout=10,
    )
    class_id = created_class.id
    classes = environments.ListEnvironmentClasses(runner_configuration_pb2.ListEnvironmentClassesRequest(), metadata=metadata, timeout=10)

    # EnvironmentSpec.Machine has a field named `class`, a Python keyword: it is set by keyword
    # unpacking (and read with getattr).
    machine = environment_pb2.EnvironmentSpec.Machine(**{"class": class_id})
    created_environment = environments.CreateEnvironment(
        environment_pb2.CreateEnvironmentRequest(
            name=config["environmentName"],
            spec=environment_pb2.EnvironmentSpec(
                machine=machine,
                content=environment_pb2.EnvironmentSpec.Content(
                    initializer=environment_pb2.EnvironmentInitializer(
                        specs=[
                            environment_pb2.EnvironmentInitializer.Spec(
                                context_url=environment_pb2.ContextURLInitializer(url=config["contextUrl"])
                            )
                        ]
                    )
                ),
            ),
        ),
        metadata=metadata,
        timeout=10,
    )
    environment_id = created_environment.environment.id

    def read_environment():
        return environments.GetEnvironment(
            environment_pb2.GetEnvironmentRequest(environment_id=environment_id), metadata=metadata, timeout=10
        ).environment

    seen_environments = poll(
        read_environment, lambda e: e.status.phase == environment_pb2.ENVIRONMENT_PHASE_RUNNING, timeout
    )
    running = seen_environments[-1]
    listed_environments = environments.ListEnvironments(
        environment_pb2.ListEnvironmentsRequest(
            filter=environment_pb2.ListEnvironmentsRequest.Filter(runner_ids=[runner_id])
        ),
        metadata=metadata,
        timeout=10,
    )

    created_service = automations.CreateService(
        environment_automation_pb2.CreateServiceRequest(
            environment_id=environment_id,
            metadata=environment_automation_pb2.ServiceMetadata(
                reference=config["serviceReference"],
                name=config["serviceName"],
                triggered_by=[automation_trigger_pb2.AutomationTrigger(manual=True)],
            ),
            spec=environment_automation_pb2.ServiceSpec(
                desired_phase=environment_automation_pb2.SERVICE_PHASE_RUNNING,
                commands=environment_automation_pb2.ServiceSpec.Commands(
                    start=config["startCommand"], ready=config["readyCommand"]
                ),
            ),
        ),
        metadata=metadata,
        timeout=10,
    )
    service_id = created_service.service.id

    def read_service():
        return automations.GetService(
            environment_automation_pb2.GetServiceRequest(id=service_id), metadata=metadata, timeout=10
        ).service

    seen_services = poll(read_service, lambda s: s.status.phase == environment_automation_pb2.SERVICE_PHASE_RUNNING, timeout)
    listed_services = automations.ListServices(
        environment_automation_pb2.ListServicesRequest(
            filter=environment_automation_pb2.ListServicesRequest.Filter(environment_ids=[environment_id])
        ),
        metadata=metadata,
        timeout=10,
    )

    return {
        "createdRunner": to_dict(created_runner.runner),
        "exchangeTokenLength": len(created_runner.exchange_token),
        "gotRunner": to_dict(got_runner.runner),
        "listedRunnerIds": [r.runner_id for r in listed_runners.runners],
        "environmentClassId": class_id,
        "environmentClasses": [
            {"id": c.id, "displayName": c.display_name, "runnerId": c.runner_id, "enabled": c.enabled}
            for c in classes.environment_classes
        ],
        "createdEnvironment": to_dict(created_environment.environment),
        "machineClass": getattr(running.spec.machine, "class"),
        "environmentPhases": distinct(environment_pb2.EnvironmentPhase.Name(e.status.phase) for e in seen_environments),
        "runningEnvironment": to_dict(running),
        "listedEnvironmentIds": [e.id for e in listed_environments.environments],
        "createdService": to_dict(created_service.service),
        "servicePhases": distinct(
            environment_automation_pb2.ServicePhase.Name(s.status.phase) for s in seen_services
        ),
        "runningService": to_dict(seen_services[-1]),
        "listedServiceIds": [s.id for s in listed_services.services],
    }


def status_message_class():
    """google.rpc.Status, built at run time: Debian's python3-grpcio comes without grpcio-status."""
    pool = descriptor_pool.DescriptorPool()
    any_file = descriptor_pb2.FileDescriptorProto()
    any_pb2.DESCRIPTOR.CopyToProto(any_file)
    pool.Add(any_file)
    status_file = descriptor_pb2.FileDescriptorProto(name="google/rpc/status.proto", package="google.rpc", syntax="proto3")
    status_file.dependency.append("google/protobuf/any.proto")
    status = status_file.message_type.add(name="Status")
    status.field.add(name="code", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_INT32, label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    status.field.add(name="message", number=2, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING, label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    status.field.add(
        name="details",
        number=3,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
        type_name=".google.protobuf.Any",
        label=descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED,
    )
    pool.Add(status_file)
    descriptor = pool.FindMessageTypeByName("google.rpc.Status")
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def failure(call):
    """Runs a call that must fail; returns its code name, details and decoded status details."""
    try:
        response = call()
    except grpc.RpcError as e:  # a grpc.Call as well: code(), details(), trailing_metadata()
        out = {"code": e.code().name, "details": e.details()}
        for key, value in e.trailing_metadata() or ():
            if key == "grpc-status-details-bin":
                status = status_message_class().FromString(value)
                out["status"] = {"code": status.code, "message": status.message, "detailTypes": [d.type_url for d in status.details]}
                violations = []
                for detail in status.details:
                    v = validate_pb2.Violations()
                    if detail.Unpack(v):
                        violations.extend(
                            {
                                "field": ".".join(el.field_name for el in x.field.elements),
                                "ruleId": x.rule_id,
                                "message": x.message,
                            }
                            for x in v.violations
                        )
                out["violations"] = violations
        return out
    raise AssertionError(f"the call succeeded: {to_dict(response)}")


def errors(channel, metadata, config):
    runners = runner_pb2_grpc.RunnerServiceStub(channel)
    environments = environment_pb2_grpc.EnvironmentServiceStub(channel)
    automations = environment_automation_pb2_grpc.EnvironmentAutomationServiceStub(channel)
    unknown = config["unknownId"]
    return {
        "getUnknownEnvironment": failure(
            lambda: environments.GetEnvironment(environment_pb2.GetEnvironmentRequest(environment_id=unknown), metadata=metadata, timeout=10)
        ),
        "getUnknownService": failure(
            lambda: automations.GetService(environment_automation_pb2.GetServiceRequest(id=unknown), metadata=metadata, timeout=10)
        ),
        "shortRunnerName": failure(
            lambda: runners.CreateRunner(
                runner_pb2.CreateRunnerRequest(name="ab", provider=runner_kind_pb2.RUNNER_PROVIDER_AWS_EC2), metadata=metadata, timeout=10
            )
        ),
        "wrongToken": failure(
            lambda: runners.ListRunners(runner_pb2.ListRunnersRequest(), metadata=(("authorization", "Bearer not-a-token"),), timeout=10)
        ),
    }


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in ("scenario", "errors"):
        print(__doc__, file=sys.stderr)
        return 2
    target, token, command = sys.argv[1:4]
    config = json.load(sys.stdin)
    metadata = (("authorization", f"Bearer {token}"),)
    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        summary = scenario(channel, metadata, config) if command == "scenario" else errors(channel, metadata, config)
    summary["versions"] = {"python": sys.version.split()[0], "grpcio": grpc.__version__, "protobuf": google.protobuf.__version__}
    json.dump(summary, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except grpc.RpcError as e:
        print(f"gRPC call failed: {e.code().name}: {e.details()}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:  # noqa: BLE001 — the test wants the reason, whatever it is
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
