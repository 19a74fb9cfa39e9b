// Volumes: the mirrors of the RAID-1 disk (and a wiped mirror's backup), by the lab's labels.
import type Docker from "dockerode";
import { LABEL_LAB, LABEL_ROLE, labFilter, labLabels, type Role } from "./labels.js";
import { asRole, dockerName, type LabVolume } from "./model.js";

export class VolumeClient {
  constructor(private readonly docker: Docker) {}

  async create(spec: { lab: string; role: Role; name: string }): Promise<LabVolume> {
    const volumeName = dockerName(spec.lab, spec.name);
    await this.docker.createVolume({ Name: volumeName, Labels: labLabels(spec.lab, spec.role, spec.name) });
    return { volumeName, lab: spec.lab, role: spec.role };
  }

  /** Volumes of one lab, or of every lab. */
  async list(lab?: string): Promise<LabVolume[]> {
    const res = await this.docker.listVolumes({ filters: { label: labFilter(lab) } });
    return (res.Volumes ?? []).map((v) => ({ volumeName: v.Name, lab: v.Labels?.[LABEL_LAB] ?? "", role: asRole(v.Labels?.[LABEL_ROLE]) }));
  }

  async remove(volumeName: string): Promise<void> {
    await this.docker.getVolume(volumeName).remove({ force: true });
  }
}
