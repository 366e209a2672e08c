/** EC2's own description of instance types (vCPUs, architectures), asked one type at a time so an unknown type is told apart. */
import { DescribeInstanceTypesCommand, type _InstanceType } from "@aws-sdk/client-ec2";
import { askOptional } from "../ask";
import type { AwsClients } from "../clients";

export interface InstanceTypeFacts {
  readonly vcpus: number;
  readonly architectures: readonly string[];
}

/** Type → facts, or null when the region does not offer it. */
export async function describeInstanceTypes(clients: AwsClients, types: readonly string[]): Promise<Record<string, InstanceTypeFacts | null>> {
  const out: Record<string, InstanceTypeFacts | null> = {};
  for (const type of [...new Set(types)].sort()) {
    const command = new DescribeInstanceTypesCommand({ InstanceTypes: [type as _InstanceType] });
    const answer = await askOptional(clients.ec2, command, ["InvalidInstanceType"], () => clients.ec2.send(command));
    const info = answer?.InstanceTypes?.find((t) => t.InstanceType === type);
    out[type] = info === undefined ? null : { vcpus: info.VCpuInfo?.DefaultVCpus ?? 0, architectures: info.ProcessorInfo?.SupportedArchitectures ?? [] };
  }
  return out;
}
