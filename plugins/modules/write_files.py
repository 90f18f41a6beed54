#!/usr/bin/python
# Copyright: Open edX data services maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: write_files
version_added: 0.1.0
short_description: Write a set of files and directories on the controller in one task
description:
  - Ensures directories, then files with the given content and mode, then removes what is no longer wanted, all on
    the Ansible controller, in one task. It is how the collection writes its artifacts (the connection settings and
    the platform hand-off files).
  - Runs in the controller's process (an action plugin) rather than as a module on the target; twenty files cost
    milliseconds instead of two module runs each.
  - A file is rewritten only when its content differs, atomically (a temporary file in the same directory, then a
    rename), created with its final mode so that a file carrying a secret is never readable beyond it.
  - With C(--diff), returns one before/after per changed path. Set C(no_log) on a task whose files carry secrets,
    which also hides the diff.
author:
  - Open edX data services maintainers (@openedx)
options:
  directories:
    description:
      - Directories to create (with their parents) or whose mode to correct, before any file is written.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The directory's path.
        type: path
        required: true
      mode:
        description: Its mode, an octal string.
        type: str
        default: "0750"
      prune:
        description:
          - Shell patterns of file names in this directory that this task owns.
          - A file matching one of them that the task does not write (O(files)) is removed, for example the
            manifest of a service no longer handed off.
        type: list
        elements: str
        default: []
  files:
    description:
      - Files to write.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The file's path; its directory must exist or be listed in O(directories).
        type: path
        required: true
      content:
        description:
          - The file's content, as text.
          - Exactly one of O(files[].content) and O(files[].src) is required.
        type: str
      src:
        description:
          - A file to copy as it is, looked up in the role's C(files/) directory as M(ansible.builtin.copy) does.
        type: str
      mode:
        description: The file's mode, an octal string.
        type: str
        default: "0644"
  absent:
    description:
      - Files or directories to remove, with what they hold.
    type: list
    elements: path
    default: []
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
notes:
  - Ownership is the controller user's; the task changes no owner or group.
"""

EXAMPLES = r"""
- name: Write the hand-off files
  openedx.data_services.write_files:
    directories:
      - path: "{{ playbook_dir }}/../artifacts/test/k8s"
        prune: ["externalsecret-*.yaml"]
    files:
      - path: "{{ playbook_dir }}/../artifacts/test/k8s/externalsecret-mysql.yaml"
        content: "{{ lookup('ansible.builtin.template', 'externalsecret.yaml.j2') }}"
      - path: "{{ playbook_dir }}/../artifacts/test/settings.yml"
        content: "{{ settings | to_nice_yaml }}"
        mode: "0600"
    absent:
      - "{{ playbook_dir }}/../artifacts/test/k8s/plain"
"""

RETURN = r"""
written:
  description: The files written (or that would be, in check mode).
  returned: always
  type: list
  elements: str
removed:
  description: The files and directories removed (or that would be, in check mode).
  returned: always
  type: list
  elements: str
"""
